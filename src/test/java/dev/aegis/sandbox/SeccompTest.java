package dev.aegis.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The filter's shape; {@link SandboxLimitsTest} runs it in the kernel. */
class SeccompTest {
  @Test
  void checksTheArchitectureFirstAndRefusesUnknownOnes() {
    List<Seccomp.Insn> p = Seccomp.instructions();
    assertThat(p.get(0).k()).isEqualTo(4); // seccomp_data.arch
    assertThat(p.get(1).k()).isEqualTo(Seccomp.AUDIT_ARCH_X86_64);
    assertThat(p.get(p.size() - 1).k()).isEqualTo(Seccomp.RET_EPERM);
    assertThat(p).filteredOn(i -> i.k() == Seccomp.AUDIT_ARCH_AARCH64).hasSize(1);
  }

  @Test
  void everyJumpLandsInsideTheProgram() {
    List<Seccomp.Insn> p = Seccomp.instructions();
    for (int i = 0; i < p.size(); i++) {
      Seccomp.Insn in = p.get(i);
      if ((in.code() & 0x07) == 0x05) { // BPF_JMP
        assertThat(i + 1 + Math.max(in.jt(), in.jf())).as("jump at %d", i).isLessThan(p.size());
      }
    }
    assertThat(p.size()).isLessThan(4096); // BPF_MAXINSNS
    assertThat(Seccomp.program()).hasSize(p.size() * 8);
  }

  @Test
  void refusesEachListedSyscallOnBothArchitectures() {
    List<Seccomp.Insn> p = Seccomp.instructions();
    for (var e : Seccomp.DENIED.entrySet()) {
      for (int arch = 0; arch < 2; arch++) {
        int nr = e.getValue()[arch];
        if (nr < 0) {
          continue;
        }
        boolean refused = false;
        for (int i = 0; i + 1 < p.size(); i++) {
          if (p.get(i).code() == 0x15 && p.get(i).k() == nr && p.get(i + 1).k() == Seccomp.RET_EPERM) {
            refused = true;
          }
        }
        assertThat(refused).as(e.getKey()).isTrue();
      }
    }
    assertThat(Seccomp.DENIED).containsKeys("ptrace", "mount", "umount2", "pivot_root", "kexec_load",
        "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf", "perf_event_open", "keyctl",
        "add_key", "request_key", "unshare", "setns", "swapon", "swapoff", "reboot", "open_by_handle_at",
        "userfaultfd");
  }
}
