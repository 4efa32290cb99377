package io.gapwatch.kvm;

import com.sun.jna.Memory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each struct is encoded at the uAPI's offsets and decodes back to what was encoded. */
class StructLayoutTest {

    @Test
    void clockDataTravelsAsKvmClockData() {
        ClockData clock = new ClockData(123_456_789L, ClockData.TSC_STABLE | ClockData.REALTIME | ClockData.HOST_TSC,
                1_795_640_291_467_197_148L, 2_077_433_754_518L);
        Memory m = KvmClockData.encode(clock);

        assertThat(m.size()).isEqualTo(48);
        assertThat(m.getLong(0)).isEqualTo(123_456_789L);
        assertThat(m.getInt(8)).isEqualTo(0xe);
        assertThat(m.getInt(12)).as("pad0").isZero();
        assertThat(m.getLong(16)).isEqualTo(1_795_640_291_467_197_148L);
        assertThat(m.getLong(24)).isEqualTo(2_077_433_754_518L);
        assertThat(m.getByteArray(32, 16)).as("pad").containsOnly(0);
        assertThat(KvmClockData.decode(m)).isEqualTo(clock);
    }

    @Test
    void runstateDataTravelsInTheVcpuAttributeUnion() {
        RunstateData runstate = new RunstateData(RunstateData.RUNNABLE, 1_000, 600, 300, 0, 100);
        Memory m = KvmXenVcpuAttr.runstate(runstate);

        assertThat(m.size()).isEqualTo(72);
        assertThat(m.getShort(0)).as("type RUNSTATE_DATA").isEqualTo((short) 4);
        assertThat(m.getLong(8)).as("state").isEqualTo(1);
        assertThat(m.getLong(16)).as("state_entry_time").isEqualTo(1_000);
        assertThat(m.getLong(24)).as("time_running").isEqualTo(600);
        assertThat(m.getLong(32)).as("time_runnable").isEqualTo(300);
        assertThat(m.getLong(40)).as("time_blocked").isZero();
        assertThat(m.getLong(48)).as("time_offline").isEqualTo(100);
        assertThat(KvmXenVcpuAttr.runstate(m)).isEqualTo(runstate);
    }

    @Test
    void aRunstateAddressIsTypeTwoWithTheGpaAtEight() {
        Memory m = KvmXenVcpuAttr.gpa(Xen.VCPU_ATTR_TYPE_RUNSTATE_ADDR, Xen.RUNSTATE_GPA);

        assertThat(m.getShort(0)).isEqualTo((short) 2);
        assertThat(m.getLong(8)).isEqualTo(0xc0001000L);
    }

    @Test
    void sharedInfoIsHvmAttributeTypeOneWithTheFrameNumberAtEight() {
        Memory m = KvmXenHvmAttr.sharedInfo(0xc0000L);

        assertThat(m.size()).isEqualTo(72);
        assertThat(m.getShort(0)).isEqualTo((short) 1);
        assertThat(m.getLong(8)).isEqualTo(0xc0000L);
    }

    @Test
    void theXenConfigCarriesFlagsAndMsrAndLeavesTheHypercallBlobZero() {
        Memory m = KvmXenHvmConfig.encode(Xen.CONFIG_INTERCEPT_HCALL, Xen.HYPERCALL_MSR);

        assertThat(m.size()).isEqualTo(56);
        assertThat(m.getInt(0)).isEqualTo(0x2);
        assertThat(m.getInt(4)).isEqualTo(0x40000000);
        assertThat(m.getByteArray(8, 48)).as("blob addresses, sizes and pad2").containsOnly(0);
    }

    @Test
    void aMemslotIsSlotFlagsGpaSizeAndHostAddress() {
        Memory m = KvmUserspaceMemoryRegion.encode(1, 0xc0000000L, 0x2000, 0x7f00_1234_5000L);

        assertThat(m.size()).isEqualTo(32);
        assertThat(m.getInt(0)).isEqualTo(1);
        assertThat(m.getInt(4)).as("flags").isZero();
        assertThat(m.getLong(8)).isEqualTo(0xc0000000L);
        assertThat(m.getLong(16)).isEqualTo(0x2000);
        assertThat(m.getLong(24)).isEqualTo(0x7f00_1234_5000L);
    }

    @Test
    void oneMsrIsAnEightByteHeaderAndOneSixteenByteEntry() {
        Memory m = KvmMsrs.encode(Xen.MSR_IA32_TSC_ADJUST, -5);

        assertThat(m.size()).isEqualTo(24);
        assertThat(m.getInt(0)).as("nmsrs").isEqualTo(1);
        assertThat(m.getInt(8)).as("entries[0].index").isEqualTo(0x3b);
        assertThat(m.getInt(12)).as("entries[0].reserved").isZero();
        assertThat(m.getLong(16)).as("entries[0].data").isEqualTo(-5);

        m.setLong(16, 42);
        assertThat(KvmMsrs.data(m)).as("what the kernel wrote back").isEqualTo(42);
    }

    @Test
    void pvclockIsPackedWithASignedShift() {
        PvclockTimeInfo pvti = new PvclockTimeInfo(0, 0x1234_5678_9abcL, 987_654_321L, 0x8000_0000, (byte) -1,
                PvclockTimeInfo.TSC_STABLE_BIT);
        Memory m = PvclockVcpuTimeInfo.encode(pvti);

        assertThat(m.size()).isEqualTo(32);
        assertThat(m.getLong(8)).isEqualTo(0x1234_5678_9abcL);
        assertThat(m.getLong(16)).isEqualTo(987_654_321L);
        assertThat(m.getInt(24)).isEqualTo(0x8000_0000);
        assertThat(m.getByte(28)).isEqualTo((byte) -1);
        assertThat(m.getByte(29)).isEqualTo((byte) 1);
        assertThat(m.getInt(4)).as("pad0: SET_CLOCK_GUEST refuses non-zero").isZero();
        assertThat(m.getShort(30)).as("pad").isZero();
        assertThat(PvclockVcpuTimeInfo.decode(m)).isEqualTo(pvti);
    }

    @Test
    void regsAndSregsChangeOnlyTheRegistersSetAndKeepEveryOtherByte() {
        Memory regsBytes = Regs.STRUCT.allocate();
        regsBytes.setLong(24, 0x600); // rdx after reset: the CPU signature
        Regs regs = new Regs(regsBytes);
        regs.setRip(0x1000);
        regs.setRflags(0x2);

        assertThat(regsBytes.getLong(128)).isEqualTo(0x1000);
        assertThat(regsBytes.getLong(136)).isEqualTo(0x2);
        assertThat(regsBytes.getLong(24)).isEqualTo(0x600);
        assertThat(regs.rip()).isEqualTo(0x1000);

        Memory sregsBytes = Sregs.STRUCT.allocate();
        sregsBytes.setLong(0, 0xffff0000L);
        sregsBytes.setShort(12, (short) 0xf000);
        sregsBytes.setInt(8, 0xffff); // cs.limit
        Sregs sregs = new Sregs(sregsBytes);
        assertThat(sregs.csBase()).isEqualTo(0xffff0000L);
        assertThat(sregs.csSelector()).isEqualTo(0xf000);

        sregs.setCsBase(0);
        sregs.setCsSelector(0);
        assertThat(sregsBytes.getLong(0)).isZero();
        assertThat(sregsBytes.getShort(12)).isZero();
        assertThat(sregsBytes.getInt(8)).as("cs.limit untouched").isEqualTo(0xffff);
    }

    @Test
    void unsignedMembersReadZeroExtendedAndSignedOnesSignExtended() {
        Struct struct = new Struct("example", 8);
        Field u8 = struct.u8("a", 0);
        Field s8 = struct.s8("b", 1);
        Field u16 = struct.u16("c", 2);
        Field u32 = struct.u32("d", 4);
        Memory m = struct.allocate();
        m.setLong(0, -1);

        assertThat(u8.get(m)).isEqualTo(0xff);
        assertThat(s8.get(m)).isEqualTo(-1);
        assertThat(u16.get(m)).isEqualTo(0xffff);
        assertThat(u32.get(m)).isEqualTo(0xffff_ffffL);
    }

    @Test
    void aMemberOutsideItsStructIsRefusedWhenDeclared() {
        Struct struct = new Struct("example", 8);

        assertThatThrownBy(() -> struct.u64("late", 4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("example.late at 4");
    }

    @Test
    void aFlexibleArrayHasAnOffsetButNoValue() {
        assertThat(KvmMsrs.ENTRIES.offset()).isEqualTo(KvmMsrs.STRUCT.size());
        assertThatThrownBy(() -> KvmMsrs.ENTRIES.get(KvmMsrs.STRUCT.allocate()))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
