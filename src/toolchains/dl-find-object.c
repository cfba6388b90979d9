/*
 * _dl_find_object for Debian's libgcc_eh on musl. Debian built its cross
 * libgcc against glibc 2.36, whose <dlfcn.h> has _dl_find_object, so its
 * unwinder (_Unwind_Find_FDE) asks that function where a program counter's
 * .eh_frame_hdr is and never falls back to dl_iterate_phdr. musl has
 * dl_iterate_phdr, static programs included: this answers from it. The
 * structure is glibc's (<dlfcn.h>, bits/dl_find_object.h): only i386 has
 * the eh_dbase member. Hidden, so every program and library keeps its own.
 * It needs PT_GNU_EH_FRAME in the program: musl's specs pass --eh-frame-hdr.
 */
#define _GNU_SOURCE
#include <link.h>
#include <stdint.h>

struct glibc_dl_find_object {
  unsigned long long flags;
  void *map_start;
  void *map_end;
  void *link_map;
  void *eh_frame;
#if defined(__i386__)
  void *eh_dbase;
  unsigned int eh_dbase_pad;
#endif
  unsigned long long reserved[7];
};

struct query {
  uintptr_t pc;
  struct glibc_dl_find_object *result;
};

static int visit(struct dl_phdr_info *info, size_t size, void *data) {
  struct query *q = data;
  uintptr_t low = UINTPTR_MAX, high = 0;
  void *eh_frame = 0;
  int contains = 0;
  (void)size;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t start = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD) {
      if (q->pc >= start && q->pc < start + ph->p_memsz) contains = 1;
      if (start < low) low = start;
      if (start + ph->p_memsz > high) high = start + ph->p_memsz;
    } else if (ph->p_type == PT_GNU_EH_FRAME) {
      eh_frame = (void *)start;
    }
  }
  if (!contains) return 0;
  q->result->flags = 0;
  q->result->map_start = (void *)low;
  q->result->map_end = (void *)high;
  q->result->link_map = 0;
  q->result->eh_frame = eh_frame;
#if defined(__i386__)
  q->result->eh_dbase = 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_DYNAMIC) continue;
    for (const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr); d->d_tag != DT_NULL; d++)
      if (d->d_tag == DT_PLTGOT) q->result->eh_dbase = (void *)(info->dlpi_addr + d->d_un.d_ptr);
  }
#endif
  return 1;
}

/* Weak too: a partial link (-r) may carry a copy into an object that is linked again. */
__attribute__((weak, visibility("hidden"))) int _dl_find_object(
    void *pc, struct glibc_dl_find_object *result) {
  struct query q = {(uintptr_t)pc, result};
  return dl_iterate_phdr(visit, &q) > 0 ? 0 : -1;
}
