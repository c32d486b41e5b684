/*
 * callbacks.c: the libssh callbacks of opsdeck-fleetsim's sessions and
 * channels (server_int.h). They only record what happened (a key offered,
 * a channel opened, an exec's command); the loop in server.c does the work.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fleetsim.h"
#include "server_int.h"

/* ---- callbacks: record only --------------------------------------------- */

int
cb_auth_pubkey(ssh_session s, const char *user, struct ssh_key_struct *pubkey,
    char signature_state, void *userdata)
{
	struct fs_session *sess = userdata;

	if (sess->node->fault == FAULT_AUTHFAIL)
		return SSH_AUTH_DENIED;
	if (ssh_key_cmp(pubkey, sess->fs->client_pub, SSH_KEY_CMP_PUBLIC) != 0)
		return SSH_AUTH_DENIED;
	if (signature_state == SSH_PUBLICKEY_STATE_NONE)
		return SSH_AUTH_SUCCESS;	/* "this key would do": the client signs next */
	if (signature_state == SSH_PUBLICKEY_STATE_VALID) {
		sess->authed = 1;
		return SSH_AUTH_SUCCESS;
	}
	return SSH_AUTH_DENIED;
}

/* A script announced on stdin is gathered; the rest is dropped, as the loop's guard does. */
static int
cb_data(ssh_session s, ssh_channel ch, void *data, uint32_t len, int is_stderr, void *userdata)
{
	struct fs_chan *c = userdata;

	if (!is_stderr && c->cmd != NULL && c->cmdlen < c->stdin_want) {
		size_t n = c->stdin_want - c->cmdlen;
		if (n > len)
			n = len;
		memcpy(c->cmd + c->cmdlen, data, n);
		c->cmdlen += n;
		c->cmd[c->cmdlen] = '\0';
	}
	return (int)len;
}

static void
cb_close(ssh_session s, ssh_channel ch, void *userdata)
{
	struct fs_chan *c = userdata;
	c->closed = 1;
}

static int
cb_pty(ssh_session s, ssh_channel ch, const char *term, int w, int h, int pw, int ph,
    void *userdata)
{
	return 0;
}

static int
cb_env(ssh_session s, ssh_channel ch, const char *name, const char *value, void *userdata)
{
	return 0;
}

static int
cb_exec(ssh_session s, ssh_channel ch, const char *command, void *userdata)
{
	struct fs_chan *c = userdata;
	size_t len = strlen(command);

	if (c->started || len > FLEETSIM_MAX_CMD)
		return 1;
	long long want = stdin_script_len(command, len);
	if (want < 0)
		return 1;
	c->started = 1;
	if (want > 0) {
		/* the script follows on stdin: chan_service begins once it is all here */
		c->stdin_want = (size_t)want;
		c->cmd = xmalloc(c->stdin_want + 1);
		c->cmd[0] = '\0';
		c->cmdlen = 0;
		return 0;
	}
	c->cmd = xstrndup(command, len);
	c->cmdlen = len;
	return 0;
}

static int
cb_shell(ssh_session s, ssh_channel ch, void *userdata)
{
	struct fs_chan *c = userdata;

	if (c->started)
		return 1;
	c->started = 1;
	c->shell = 1;
	return 0;
}

static int
cb_subsystem(ssh_session s, ssh_channel ch, const char *subsystem, void *userdata)
{
	return 1;
}

ssh_channel
cb_channel_open(ssh_session s, void *userdata)
{
	struct fs_session *sess = userdata;
	struct fs_chan *c;

	if (!sess->authed || sess->nchans >= MAX_CHANS_PER_SESSION)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->sess = sess;
	c->ch = ssh_channel_new(s);
	if (c->ch == NULL) {
		free(c);
		return NULL;
	}
	buf_init(&c->out, 0);
	ssh_callbacks_init(&c->cb);
	c->cb.userdata = c;
	c->cb.channel_data_function = cb_data;
	c->cb.channel_close_function = cb_close;
	c->cb.channel_pty_request_function = cb_pty;
	c->cb.channel_env_request_function = cb_env;
	c->cb.channel_exec_request_function = cb_exec;
	c->cb.channel_shell_request_function = cb_shell;
	c->cb.channel_subsystem_request_function = cb_subsystem;
	ssh_set_channel_callbacks(c->ch, &c->cb);
	c->next = sess->chans;
	sess->chans = c;
	sess->nchans++;
	return c->ch;
}

