// SPDX-License-Identifier: MIT
/*
 * netns.c - named network namespaces as ip-netns(8) keeps them
 * (/run/netns/NAME): enter one (l2tp -n NAME, l2tpd --netns NAME), and the
 * per-namespace paths of l2tpd's socket and PID file. Unix sockets on the
 * file system are not namespaced, so each namespace's daemon needs a path
 * of its own: /run/l2tpd/NAME.sock beside the default /run/l2tpd/l2tpd.sock.
 * Shared by l2tp and l2tpd.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* What ip-netns(8) accepts as a name: one path component. */
static bool netns_name_ok(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	       strlen(name) <= CLI_NETNS_NAME_MAX;
}

int cli_netns_enter(const char *name, char *err, size_t errlen)
{
	char path[sizeof(CLI_NETNS_RUN_DIR) + CLI_NETNS_NAME_MAX + 1];
	int fd, e;

	if (!netns_name_ok(name)) {
		snprintf(err, errlen, "Invalid network namespace name \"%s\"", name);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/%s", CLI_NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		/* ip-netns(8)'s wording */
		snprintf(err, errlen, "Cannot open network namespace \"%s\": %s", name,
			 strerror(e));
		return -e;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		e = errno;
		snprintf(err, errlen, "setting the network namespace \"%s\" failed: %s", name,
			 strerror(e));
		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

int cli_netns_runpath(char *buf, size_t len, const char *name, const char *suffix)
{
	int n = snprintf(buf, len, "%s/%s%s", CLI_RUN_DIR, name, suffix);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
