package dev.aegis.sandbox;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A classic BPF seccomp program, as bubblewrap's {@code --seccomp FD} loads it: syscalls that let a process
 * escape or reconfigure its sandbox, load kernel code, trace other processes or reach kernel attack surface that a
 * tool server never needs fail with {@code EPERM}; {@code clone} with any namespace flag fails too, and
 * {@code clone3} fails with {@code ENOSYS} so that libc falls back to {@code clone}, whose flags a filter can read.
 * Known architectures: x86_64 (the x32 ABI is refused) and aarch64; every syscall of any other architecture (e.g.
 * 32-bit {@code int 0x80} on x86_64) fails with {@code EPERM}.
 *
 * <pre>{@code Files.write(file, Seccomp.program()); // then: bwrap --seccomp 3 ... 3<file }</pre>
 */
public final class Seccomp {
  private Seccomp() {}

  /** The syscalls refused, by name, with their numbers on x86_64 and aarch64 (-1: none on that architecture). */
  static final Map<String, int[]> DENIED = denied();

  private static Map<String, int[]> denied() {
    Map<String, int[]> m = new java.util.LinkedHashMap<>();
    m.put("ptrace", new int[] {101, 117});
    m.put("mount", new int[] {165, 40});
    m.put("umount2", new int[] {166, 39});
    m.put("pivot_root", new int[] {155, 41});
    m.put("chroot", new int[] {161, 51});
    m.put("kexec_load", new int[] {246, 104});
    m.put("kexec_file_load", new int[] {320, 294});
    m.put("init_module", new int[] {175, 105});
    m.put("finit_module", new int[] {313, 273});
    m.put("delete_module", new int[] {176, 106});
    m.put("bpf", new int[] {321, 280});
    m.put("perf_event_open", new int[] {298, 241});
    m.put("keyctl", new int[] {250, 219});
    m.put("add_key", new int[] {248, 217});
    m.put("request_key", new int[] {249, 218});
    m.put("unshare", new int[] {272, 97});
    m.put("setns", new int[] {308, 268});
    m.put("swapon", new int[] {167, 224});
    m.put("swapoff", new int[] {168, 225});
    m.put("reboot", new int[] {169, 142});
    m.put("open_by_handle_at", new int[] {304, 265});
    m.put("name_to_handle_at", new int[] {303, 264});
    m.put("userfaultfd", new int[] {323, 282});
    m.put("acct", new int[] {163, 89});
    m.put("settimeofday", new int[] {164, 170});
    m.put("clock_settime", new int[] {227, 112});
    m.put("clock_adjtime", new int[] {305, 266});
    m.put("adjtimex", new int[] {159, 171});
    m.put("iopl", new int[] {172, -1});
    m.put("ioperm", new int[] {173, -1});
    m.put("uselib", new int[] {134, -1});
    m.put("process_vm_readv", new int[] {310, 270});
    m.put("process_vm_writev", new int[] {311, 271});
    m.put("kcmp", new int[] {312, 272});
    m.put("lookup_dcookie", new int[] {212, 18});
    m.put("syslog", new int[] {103, 116});
    m.put("quotactl", new int[] {179, 60});
    m.put("vhangup", new int[] {153, 58});
    m.put("io_uring_setup", new int[] {425, 425});
    m.put("io_uring_enter", new int[] {426, 426});
    m.put("io_uring_register", new int[] {427, 427});
    m.put("open_tree", new int[] {428, 428});
    m.put("move_mount", new int[] {429, 429});
    m.put("fsopen", new int[] {430, 430});
    m.put("fsconfig", new int[] {431, 431});
    m.put("fsmount", new int[] {432, 432});
    m.put("fspick", new int[] {433, 433});
    m.put("mount_setattr", new int[] {442, 442});
    return java.util.Collections.unmodifiableMap(m);
  }

  static final int AUDIT_ARCH_X86_64 = 0xc000003e;
  static final int AUDIT_ARCH_AARCH64 = 0xc00000b7;
  private static final int X32_SYSCALL_BIT = 0x40000000;
  private static final int[] CLONE = {56, 220};
  private static final int CLONE3 = 435;
  /** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET. */
  static final int CLONE_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000
      | 0x40000000;

  private static final short LD_W_ABS = 0x20;
  private static final short JEQ_K = 0x15;
  private static final short JGE_K = 0x35;
  private static final short JSET_K = 0x45;
  private static final short RET_K = 0x06;
  static final int RET_ALLOW = 0x7fff0000;
  static final int RET_EPERM = 0x00050000 | 1;
  static final int RET_ENOSYS = 0x00050000 | 38;
  private static final int OFF_NR = 0;
  private static final int OFF_ARCH = 4;
  private static final int OFF_ARG0_LOW = 16; // little-endian: the low 32 bits of args[0]

  /** One {@code struct sock_filter}. */
  record Insn(short code, int jt, int jf, int k) {
    Insn {
      if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
        throw new IllegalArgumentException("jump out of range");
      }
    }
  }

  /** The program as instructions (for tests and for {@link #program()}). */
  static List<Insn> instructions() {
    List<Insn> x86 = archBlock(0, true);
    List<Insn> arm = archBlock(1, false);
    List<Insn> p = new ArrayList<>();
    p.add(new Insn(LD_W_ABS, 0, 0, OFF_ARCH));
    p.add(new Insn(JEQ_K, 0, x86.size(), AUDIT_ARCH_X86_64));
    p.addAll(x86);
    p.add(new Insn(JEQ_K, 0, arm.size(), AUDIT_ARCH_AARCH64));
    p.addAll(arm);
    p.add(new Insn(RET_K, 0, 0, RET_EPERM)); // any other architecture
    return List.copyOf(p);
  }

  private static List<Insn> archBlock(int arch, boolean x32Check) {
    List<Insn> b = new ArrayList<>();
    b.add(new Insn(LD_W_ABS, 0, 0, OFF_NR));
    if (x32Check) {
      b.add(new Insn(JGE_K, 0, 1, X32_SYSCALL_BIT));
      b.add(new Insn(RET_K, 0, 0, RET_EPERM));
    }
    for (int[] nrs : DENIED.values()) {
      if (nrs[arch] >= 0) {
        b.add(new Insn(JEQ_K, 0, 1, nrs[arch]));
        b.add(new Insn(RET_K, 0, 0, RET_EPERM));
      }
    }
    b.add(new Insn(JEQ_K, 0, 1, CLONE3));
    b.add(new Insn(RET_K, 0, 0, RET_ENOSYS));
    b.add(new Insn(JEQ_K, 0, 3, CLONE[arch]));
    b.add(new Insn(LD_W_ABS, 0, 0, OFF_ARG0_LOW));
    b.add(new Insn(JSET_K, 0, 1, CLONE_NAMESPACES));
    b.add(new Insn(RET_K, 0, 0, RET_EPERM));
    b.add(new Insn(RET_K, 0, 0, RET_ALLOW));
    return b;
  }

  /** The program in the byte layout the kernel reads ({@code struct sock_filter[]}, native byte order). */
  public static byte[] program() {
    List<Insn> insns = instructions();
    ByteBuffer buf = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.nativeOrder());
    for (Insn i : insns) {
      buf.putShort(i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
    }
    return buf.array();
  }

  /** Whether this JVM runs on an architecture the filter knows (elsewhere it would refuse every syscall). */
  public static boolean supportedArch() {
    String a = System.getProperty("os.arch", "");
    return a.equals("amd64") || a.equals("x86_64") || a.equals("aarch64");
  }
}
