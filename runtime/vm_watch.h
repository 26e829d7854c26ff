/*
 * The watcher of a container's kvmc-vmm: the VMM runs detached, so no
 * kvmc command sees how it ended.  vm_launch forks a small watcher as its
 * parent that waits for it and writes one line to the VM's log (vmm.log)
 * when it did not end normally, above all when seccomp killed it.
 */
#ifndef KVMC_RUNTIME_VM_WATCH_H
#define KVMC_RUNTIME_VM_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* How a VMM with wait status st ended, in one line (no newline); an
 * empty string for a normal end (exit 0). */
void vm_exit_describe(pid_t pid, int st, char *buf, size_t len);

/* Waits for pid (our child) and writes vm_exit_describe's line to
 * log_fd.  Returns the wait status, or -errno. */
int vm_watch(pid_t pid, int log_fd);

/* Before it watches, the watcher is armed: create holds the other end of
 * fd (a socket) and sends one byte once the VMM's pid is in the state.
 * True when that byte came; false when the other end closed without it
 * (create killed, or failed before the record), and the VMM, which no
 * state names, must be killed. */
bool vm_watch_armed(int fd);

/* The last line the watcher wrote to the log at path, without "kvmc: "
 * and the newline, into line.  0, or -ENOENT when there is none. */
int vm_watch_find(const char *path, char *line, size_t len);

#endif
