/*
 * known_hosts.h: the fast path of the host-key check (known_hosts.c), for
 * ssh.c. Any thread.
 */
#ifndef OPSDECK_KNOWN_HOSTS_H
#define OPSDECK_KNOWN_HOSTS_H

/*
 * 1 when the known_hosts file at path has a plain (not hashed, not a
 * pattern) entry for name ("host", or "[host]:port" off port 22; case does
 * not matter) whose key is exactly type and b64 ("ssh-ed25519",
 * "AAAA..."), and the file has no @ markers; 0 otherwise, and the caller
 * asks libssh. The file is indexed once and again whenever it changes
 * (device, inode, size, mtime).
 */
int known_hosts_has(const char *path, const char *name, const char *type, const char *b64);
/*
 * The key types the file's plain entries hold for name ("ssh-ed25519" or
 * "ssh-ed25519,ssh-rsa"), malloc'd; NULL when none (or markers). For the
 * host-key algorithms to offer, which libssh would otherwise find by
 * reading the whole file at every connection.
 */
char *known_hosts_types(const char *path, const char *name);
/* Drops every index (tests). */
void known_hosts_forget(void);

#endif
