package io.gapwatch.probe.kvm;

import io.gapwatch.kvm.ClockData;
import io.gapwatch.kvm.Errno;
import io.gapwatch.kvm.Kvm;
import io.gapwatch.kvm.KvmException;
import io.gapwatch.kvm.Xen;
import io.gapwatch.probe.CapabilityMissingException;
import io.gapwatch.probe.HostInfo;
import io.gapwatch.probe.Hypervisor;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.XenVm;

import java.nio.file.Path;

/** The kvm backend: the probe's steps as ioctls on this host's /dev/kvm. */
public final class KvmHypervisor implements Hypervisor {
    private final Kvm kvm;
    private final int apiVersion;

    private KvmHypervisor(Kvm kvm, int apiVersion) {
        this.kvm = kvm;
        this.apiVersion = apiVersion;
    }

    /** Opens /dev/kvm; a host that cannot give it to us is a capability missing (SKIP), not an error. */
    public static KvmHypervisor open() throws CapabilityMissingException {
        return open(Kvm.DEVICE);
    }

    static KvmHypervisor open(Path device) throws CapabilityMissingException {
        Kvm kvm;
        try {
            kvm = Kvm.open(device);
        } catch (KvmException e) {
            throw new CapabilityMissingException(openFailure(device, e.errno()));
        }
        try {
            int version = kvm.apiVersion();
            if (version != Kvm.API_VERSION) {
                throw new CapabilityMissingException(device + " answers KVM_GET_API_VERSION " + version
                        + ", expected " + Kvm.API_VERSION);
            }
            return new KvmHypervisor(kvm, version);
        } catch (KvmException e) {
            kvm.close();
            throw new CapabilityMissingException(device + " is not a KVM device: " + e.getMessage());
        } catch (CapabilityMissingException | RuntimeException e) {
            kvm.close();
            throw e;
        }
    }

    static String openFailure(Path device, int errno) {
        String cause = Errno.nameOf(errno) + " (" + errno + ")";
        if (errno == Errno.EACCES.number || errno == Errno.EPERM.number) {
            return "cannot open " + device + ": " + cause + "; the user needs read-write access, "
                    + "normally membership of the kvm group that owns it";
        }
        if (errno == Errno.ENOENT.number) {
            return "cannot open " + device + ": " + cause + "; no KVM here (module not loaded, no hardware "
                    + "virtualization, or a container without the device)";
        }
        return "cannot open " + device + ": " + cause;
    }

    /** The host's KVM as an agent reports it: API version and the Xen HVM capability mask. */
    public KvmCapabilities describe() throws KvmException {
        return new KvmCapabilities(apiVersion, xenCapabilities());
    }

    @Override
    public TargetInfo target() {
        return HostInfo.target("kvm");
    }

    @Override
    public int xenCapabilities() throws KvmException {
        return kvm.checkExtension(Xen.CAP_XEN_HVM);
    }

    @Override
    public int adjustClockFlags() throws KvmException {
        return kvm.checkExtension(ClockData.CAP_ADJUST_CLOCK);
    }

    @Override
    public XenVm createXenVm() throws KvmException {
        return KvmXenVm.create(kvm);
    }

    @Override
    public void close() {
        kvm.close();
    }
}
