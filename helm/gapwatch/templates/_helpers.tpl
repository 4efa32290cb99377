{{- define "gapwatch.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gapwatch.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "gapwatch.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "gapwatch.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "gapwatch.labImage" -}}
{{- printf "%s:%s" .Values.image.labRepository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "gapwatch.adminSecret" -}}
{{- default (printf "%s-admin-token" (include "gapwatch.fullname" .)) .Values.tokens.admin.existingSecret -}}
{{- end -}}

{{- define "gapwatch.enrollmentSecret" -}}
{{- default (printf "%s-enrollment-token" (include "gapwatch.fullname" .)) .Values.tokens.enrollment.existingSecret -}}
{{- end -}}

{{- define "gapwatch.serverUrl" -}}
{{- printf "http://%s:%v" (include "gapwatch.fullname" .) .Values.server.service.port -}}
{{- end -}}

{{/* What every gapwatch container shares: no privilege, nothing to escalate, a read-only root. */}}
{{- define "gapwatch.containerSecurity" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The agent's enrollment token, from its Secret. */}}
{{- define "gapwatch.agentEnv" -}}
- name: GAPWATCH_SERVER
  value: {{ include "gapwatch.serverUrl" . | quote }}
- name: GAPWATCH_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "gapwatch.enrollmentSecret" . }}
      key: {{ .Values.tokens.enrollment.key }}
- name: GAPWATCH_HOME
  value: /var/lib/gapwatch
- name: NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
{{- end -}}
