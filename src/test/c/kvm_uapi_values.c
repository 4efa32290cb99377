/*
 * Prints, as "NAME VALUE" lines, every number io.gapwatch.kvm copies from the installed KVM uAPI
 * headers: ioctl requests, constants, sizeof of each struct, offsetof and sizeof of each member.
 * HeaderConformanceTest compiles this at test time and compares each line with the Java side.
 * Names the installed headers may predate are guarded, so the program builds against any header
 * since 6.1; what it cannot print is checked against the spec by the test instead.
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/kvm.h>
#if __has_include(<asm/pvclock-abi.h>)
#include <asm/pvclock-abi.h>
#define HAVE_PVCLOCK_ABI 1
#endif

#define NUM(n) printf("%s %llu\n", #n, (unsigned long long)(n))
#define SIZE(s) printf("sizeof:%s %zu\n", #s, sizeof(struct s))
#define OFF(s, m) printf("offsetof:%s.%s %zu\nsizeof:%s.%s %zu\n", #s, #m, offsetof(struct s, m), \
                         #s, #m, sizeof(((struct s *)0)->m))
#define ARRAY(s, m) printf("offsetof:%s.%s %zu\n", #s, #m, offsetof(struct s, m))

int main(void)
{
	NUM(KVM_API_VERSION);

	NUM(KVM_GET_API_VERSION);
	NUM(KVM_CREATE_VM);
	NUM(KVM_CHECK_EXTENSION);
	NUM(KVM_GET_VCPU_MMAP_SIZE);
	NUM(KVM_CREATE_VCPU);
	NUM(KVM_SET_USER_MEMORY_REGION);
	NUM(KVM_XEN_HVM_CONFIG);
	NUM(KVM_SET_CLOCK);
	NUM(KVM_GET_CLOCK);
	NUM(KVM_RUN);
	NUM(KVM_GET_REGS);
	NUM(KVM_SET_REGS);
	NUM(KVM_GET_SREGS);
	NUM(KVM_SET_SREGS);
	NUM(KVM_GET_MSRS);
	NUM(KVM_SET_MSRS);
	NUM(KVM_GET_TSC_KHZ);
	NUM(KVM_XEN_HVM_SET_ATTR);
	NUM(KVM_XEN_VCPU_GET_ATTR);
	NUM(KVM_XEN_VCPU_SET_ATTR);
#ifdef KVM_GET_CLOCK_GUEST
	NUM(KVM_SET_CLOCK_GUEST);
	NUM(KVM_GET_CLOCK_GUEST);
#endif

	NUM(KVM_CAP_XEN_HVM);
	NUM(KVM_CAP_ADJUST_CLOCK);
	NUM(KVM_XEN_HVM_CONFIG_HYPERCALL_MSR);
	NUM(KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL);
	NUM(KVM_XEN_HVM_CONFIG_SHARED_INFO);
	NUM(KVM_XEN_HVM_CONFIG_RUNSTATE);
	NUM(KVM_XEN_HVM_CONFIG_EVTCHN_2LEVEL);
	NUM(KVM_XEN_HVM_CONFIG_EVTCHN_SEND);
#ifdef KVM_XEN_HVM_CONFIG_RUNSTATE_UPDATE_FLAG
	NUM(KVM_XEN_HVM_CONFIG_RUNSTATE_UPDATE_FLAG);
#endif
#ifdef KVM_XEN_HVM_CONFIG_PVCLOCK_TSC_UNSTABLE
	NUM(KVM_XEN_HVM_CONFIG_PVCLOCK_TSC_UNSTABLE);
#endif
#ifdef KVM_XEN_HVM_CONFIG_SHARED_INFO_HVA
	NUM(KVM_XEN_HVM_CONFIG_SHARED_INFO_HVA);
#endif
	NUM(KVM_XEN_ATTR_TYPE_SHARED_INFO);
	NUM(KVM_XEN_VCPU_ATTR_TYPE_RUNSTATE_ADDR);
	NUM(KVM_XEN_VCPU_ATTR_TYPE_RUNSTATE_DATA);
	NUM(KVM_CLOCK_TSC_STABLE);
	NUM(KVM_CLOCK_REALTIME);
	NUM(KVM_CLOCK_HOST_TSC);

	NUM(KVM_EXIT_UNKNOWN);
	NUM(KVM_EXIT_EXCEPTION);
	NUM(KVM_EXIT_IO);
	NUM(KVM_EXIT_HYPERCALL);
	NUM(KVM_EXIT_DEBUG);
	NUM(KVM_EXIT_HLT);
	NUM(KVM_EXIT_MMIO);
	NUM(KVM_EXIT_SHUTDOWN);
	NUM(KVM_EXIT_FAIL_ENTRY);
	NUM(KVM_EXIT_INTR);
	NUM(KVM_EXIT_INTERNAL_ERROR);
	NUM(KVM_EXIT_SYSTEM_EVENT);
	NUM(KVM_EXIT_X86_RDMSR);
	NUM(KVM_EXIT_X86_WRMSR);
	NUM(KVM_EXIT_XEN);
	NUM(KVM_EXIT_IO_IN);
	NUM(KVM_EXIT_IO_OUT);

	SIZE(kvm_userspace_memory_region);
	OFF(kvm_userspace_memory_region, slot);
	OFF(kvm_userspace_memory_region, flags);
	OFF(kvm_userspace_memory_region, guest_phys_addr);
	OFF(kvm_userspace_memory_region, memory_size);
	OFF(kvm_userspace_memory_region, userspace_addr);

	SIZE(kvm_run);
	OFF(kvm_run, exit_reason);
	OFF(kvm_run, io.direction);
	OFF(kvm_run, io.size);
	OFF(kvm_run, io.port);
	OFF(kvm_run, io.count);
	OFF(kvm_run, io.data_offset);
	OFF(kvm_run, hw.hardware_exit_reason);
	OFF(kvm_run, fail_entry.hardware_entry_failure_reason);
	OFF(kvm_run, internal.suberror);

	SIZE(kvm_regs);
	OFF(kvm_regs, rip);
	OFF(kvm_regs, rflags);

	SIZE(kvm_sregs);
	OFF(kvm_sregs, cs.base);
	OFF(kvm_sregs, cs.selector);

	SIZE(kvm_msrs);
	OFF(kvm_msrs, nmsrs);
	ARRAY(kvm_msrs, entries);
	SIZE(kvm_msr_entry);
	OFF(kvm_msr_entry, index);
	OFF(kvm_msr_entry, data);

	SIZE(kvm_xen_hvm_config);
	OFF(kvm_xen_hvm_config, flags);
	OFF(kvm_xen_hvm_config, msr);

	SIZE(kvm_xen_hvm_attr);
	OFF(kvm_xen_hvm_attr, type);
	OFF(kvm_xen_hvm_attr, u.shared_info.gfn);

	SIZE(kvm_xen_vcpu_attr);
	OFF(kvm_xen_vcpu_attr, type);
	OFF(kvm_xen_vcpu_attr, u.gpa);
	OFF(kvm_xen_vcpu_attr, u.runstate.state);
	OFF(kvm_xen_vcpu_attr, u.runstate.state_entry_time);
	OFF(kvm_xen_vcpu_attr, u.runstate.time_running);
	OFF(kvm_xen_vcpu_attr, u.runstate.time_runnable);
	OFF(kvm_xen_vcpu_attr, u.runstate.time_blocked);
	OFF(kvm_xen_vcpu_attr, u.runstate.time_offline);

	SIZE(kvm_clock_data);
	OFF(kvm_clock_data, clock);
	OFF(kvm_clock_data, flags);
	OFF(kvm_clock_data, realtime);
	OFF(kvm_clock_data, host_tsc);

#ifdef HAVE_PVCLOCK_ABI
	SIZE(pvclock_vcpu_time_info);
	OFF(pvclock_vcpu_time_info, version);
	OFF(pvclock_vcpu_time_info, tsc_timestamp);
	OFF(pvclock_vcpu_time_info, system_time);
	OFF(pvclock_vcpu_time_info, tsc_to_system_mul);
	OFF(pvclock_vcpu_time_info, tsc_shift);
	OFF(pvclock_vcpu_time_info, flags);
#endif
	return 0;
}
