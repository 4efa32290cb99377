# gapwatch: one image for the server and the agent (`gapwatch server|agent ...` as the command),
# and a `lab` target that adds what the kernel lab needs to boot kernels under QEMU.
#   docker build -t gapwatch .                  # server and kvm agent
#   docker build -t gapwatch-lab --target lab .  # lab agent

# --- build: the jar, with dependencies resolved in their own layer so source edits rebuild fast
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY src/main ./src/main
COPY db ./db
RUN mvn -B -q -DskipTests package

# --- runtime: Debian 12 (the lab fetches Debian's kernels with apt) with its JRE 17, the launcher and the
# jar; runs as an unprivileged user
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 gapwatch \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/gapwatch --create-home gapwatch
WORKDIR /opt/gapwatch
# bin/gapwatch finds the jar at ../target/gapwatch.jar and builds nothing when it is there
COPY --from=build /src/target/gapwatch.jar target/gapwatch.jar
COPY bin/gapwatch bin/gapwatch
COPY config ./config
ENV GAPWATCH_HOME=/var/lib/gapwatch \
    GAPWATCH_PORT=8080
USER 10001:10001
EXPOSE 8080
# The server's liveness group; an agent container has no HTTP port unless started with --metrics-port,
# and Kubernetes uses the chart's probes rather than this.
HEALTHCHECK --interval=30s --timeout=5s --retries=5 \
    CMD curl -fsS "http://127.0.0.1:${GAPWATCH_PORT}/actuator/health/liveness" || exit 1
ENTRYPOINT ["/opt/gapwatch/bin/gapwatch"]
CMD ["server"]

# --- lab: the runtime plus QEMU, busybox and the module tools the kernel lab uses, and the JDK (jlink, jdeps and
# the jmods) it builds the guest's trimmed Java runtime with. The package lists stay: the lab fetches Debian
# kernels with `apt-get download` (as the unprivileged user) into $GAPWATCH_HOME/kernels.
FROM runtime AS lab
USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends qemu-system-x86 busybox-static cpio kmod xz-utils \
       openjdk-17-jdk-headless
USER 10001:10001
CMD ["agent", "--backend", "lab"]
