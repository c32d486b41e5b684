/*
 * server_int.h: what server.c (sessions, channels, the loop) and answer.c
 * (what a node answers) share: a session and its channels.
 */
#ifndef FLEETSIM_SERVER_INT_H
#define FLEETSIM_SERVER_INT_H

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>

#include "fleetsim.h"

#define MAX_CHANS_PER_SESSION	8

struct fs_chan {
	struct fs_chan	*next;
	struct fs_session *sess;
	ssh_channel	 ch;
	struct ssh_channel_callbacks_struct cb;
	int		 closed;	/* the client closed it */
	int		 started;	/* exec or shell seen */
	char		*cmd;		/* exec command waiting for the loop; owned */
	size_t		 cmdlen;
	size_t		 stdin_want;	/* > 0: the script comes on stdin, this long */
	int		 shell;
	int		 streaming;
	int		 finishing;	/* one-shot: exit status, EOF, close once out is sent */
	int		 exit_status;
	int		 done;		/* close sent */
	int		 dead;		/* to be freed by the sweep */
	struct stream_req req;
	uint64_t	 seq;
	int64_t		 next_ms;
	struct buf	 out;
	size_t		 off;		/* bytes of out already written */
	uint64_t	 flood_left;
	uint64_t	 flood_line;
};

struct fs_session {
	struct fs_session *next;
	struct fs_node	*node;
	struct fleetsim	*fs;
	ssh_session	 s;
	ssh_event	 ev;		/* this session alone */
	int		 fd;		/* its socket, as accepted */
	struct fs_watch	 watch;
	int		 in_epoll;	/* registered (not while hung) */
	uint32_t	 epmask;	/* EPOLLIN, plus EPOLLOUT while libssh has output queued */
	int		 active;	/* had I/O since it was last serviced */
	int64_t		 next_ms;	/* when it next needs servicing without I/O */
	struct ssh_server_callbacks_struct scb;
	int		 authed;
	int64_t		 accepted_ms;
	struct fs_chan	*chans;
	int		 nchans;
};

void answer_ctl_report(struct fleetsim *fs, struct fs_node *n, struct buf *out);
void answer_slurm(struct fleetsim *fs, struct buf *out, int squeue, int64_t window_s,
    size_t max_lines);
void answer_nvidia(struct fleetsim *fs, struct fs_node *n, const char *fields, int procs,
    struct buf *out,
    int64_t now_ms);
void answer_oneshot(struct fleetsim *fs, struct fs_chan *c);

/* callbacks.c: a session's public-key auth and channel-open callbacks. */
int cb_auth_pubkey(ssh_session s, const char *user, struct ssh_key_struct *pubkey,
    char signature_state, void *userdata);
ssh_channel cb_channel_open(ssh_session s, void *userdata);

#endif
