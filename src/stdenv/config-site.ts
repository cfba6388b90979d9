/**
 * The answers autoconf cannot find out while cross compiling: a configure
 * test that must run a program ("cannot run test program while cross
 * compiling") reads its answer from CONFIG_SITE instead. As Buildroot and
 * Yocto keep site files per target, xpkgs keeps one per platform, made from
 * facts of Linux and its C libraries, and a recipe adds its own with
 * `configureCacheVars` (which wins). The file says where each answer came from.
 */
import type { Platform } from "../systems/elaborate.js";

/** True of the Linux kernel with glibc and with musl: the answers a native configure finds. */
const linuxAnswers: Readonly<Record<string, string>> = {
  ac_cv_func_malloc_0_nonnull: "yes",
  ac_cv_func_realloc_0_nonnull: "yes",
  ac_cv_func_calloc_0_nonnull: "yes",
  ac_cv_func_mmap_fixed_mapped: "yes",
  ac_cv_func_fork_works: "yes",
  ac_cv_func_vfork_works: "yes",
  ac_cv_func_memcmp_working: "yes",
  ac_cv_func_strnlen_working: "yes",
  ac_cv_func_strcoll_works: "yes",
  ac_cv_func_strtod: "yes",
  ac_cv_func_lstat_dereferences_slashed_symlink: "yes",
  ac_cv_func_lstat_empty_string_bug: "no",
  ac_cv_func_stat_empty_string_bug: "no",
  ac_cv_func_getpgrp_void: "yes",
  ac_cv_func_setpgrp_void: "yes",
  ac_cv_func_closedir_void: "no",
  ac_cv_func_chown_works: "yes",
  ac_cv_func_getgroups_works: "yes",
  ac_cv_func_posix_getpwuid_r: "yes",
  ac_cv_func_posix_getgrgid_r: "yes",
  ac_cv_func_working_mktime: "yes",
  ac_cv_func_setvbuf_reversed: "no",
  ac_cv_func_utime_null: "yes",
  ac_cv_func_select_args: "int,fd_set *,struct timeval *",
  ac_cv_type_getgroups: "gid_t",
  ac_cv_sys_restartable_syscalls: "yes",
  ac_cv_file__dev_zero: "yes",
  ac_cv_file__dev_random: "yes",
  ac_cv_file__dev_urandom: "yes",
  ac_cv_have_proc_fs: "yes",
  // bash and readline
  bash_cv_job_control_missing: "present",
  bash_cv_sys_named_pipes: "present",
  bash_cv_func_sigsetjmp: "present",
  bash_cv_func_ctype_nonascii: "yes",
  bash_cv_printf_a_format: "yes",
  bash_cv_getcwd_malloc: "yes",
  bash_cv_unusable_rtsigs: "no",
  bash_cv_func_snprintf: "yes",
  bash_cv_func_vsnprintf: "yes",
  bash_cv_dup2_broken: "no",
  bash_cv_pgrp_pipe: "no",
  bash_cv_must_reinstall_sighandlers: "no",
  bash_cv_func_strcoll_broken: "no",
  bash_cv_opendir_not_robust: "no",
  bash_cv_ulimit_maxfds: "yes",
  bash_cv_getenv_redef: "yes",
  bash_cv_wexitstatus_offset: "8",
  bash_cv_fnm_extmatch: "no",
  bash_cv_wcwidth_broken: "no",
  bash_cv_sys_siglist: "no",
  bash_cv_under_sys_siglist: "no",
  // gnulib (coreutils, tar, diffutils…): answers where its cross guess is pessimistic
  gl_cv_func_working_utimes: "yes",
  gl_cv_func_getcwd_path_max: "yes",
  gl_cv_func_mkdir_trailing_slash_works: "yes",
  gl_cv_func_mkdir_trailing_dot_works: "yes",
  gl_cv_func_rename_dest_works: "yes",
  gl_cv_func_rmdir_works: "yes",
  gl_cv_func_link_works: "yes",
  gl_cv_func_unlink_honors_slashes: "yes",
  gl_cv_func_stat_file_slash: "yes",
  gl_cv_func_lstat_dereferences_slashed_symlink: "yes",
  gl_cv_func_fstatat_zero_flag: "yes",
  gl_cv_func_select_detects_ebadf: "yes",
  gl_cv_func_getgroups_works: "yes",
  gl_cv_func_nanosleep: "yes",
  gl_cv_func_working_strerror: "yes",
  gl_cv_func_fflush_stdin: "yes",
  gl_cv_func_ftello_works: "yes",
  gl_cv_func_printf_directive_n: "no",
  gl_cv_func_memchr_works: "yes",
  gl_cv_func_strcasecmp_works: "yes",
  gl_cv_header_working_fcntl_h: "yes",
};

/** Answers that depend on the platform, not only on Linux. */
function platformAnswers(p: Platform): Record<string, string> {
  return {
    ac_cv_c_bigendian: p.isLittleEndian ? "no" : "yes",
  };
}

/** The config.site text of a build: the platform's answers (cross only), then the recipe's. */
export function configSite(
  host: Platform,
  cross: boolean,
  recipeVars: Readonly<Record<string, string>> = {},
): string {
  const lines: string[] = [];
  const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  if (cross) {
    lines.push(
      `# Cross compiling for ${host.config}: Linux's answers (xpkgs, src/stdenv/config-site.ts)`,
    );
    for (const [k, v] of Object.entries({ ...linuxAnswers, ...platformAnswers(host) })) {
      if (!(k in recipeVars)) lines.push(`${k}=\${${k}=${quote(v)}}`);
    }
  }
  if (Object.keys(recipeVars).length > 0) {
    lines.push("# The recipe's configureCacheVars");
    for (const [k, v] of Object.entries(recipeVars)) lines.push(`${k}=${quote(v)}`);
  }
  return lines.join("\n");
}
