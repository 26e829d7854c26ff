/* OCI's resource limit names ("RLIMIT_NOFILE"), shared by the runtime's
 * config.json parser and the agent's process parser. */
#ifndef KVMC_LIB_RLIMIT_H
#define KVMC_LIB_RLIMIT_H

/* The RLIMIT_* resource for name, or -1 for a name Linux does not have. */
int rlimit_by_name(const char *name);

#endif
