// SPDX-License-Identifier: MIT
/*
 * main.c - l2tp(8): global options in iproute2's style (-j, -p, -s, -n,
 * -batch, -force, -V), plus -S PATH / $L2TP_SOCKET for l2tpd's socket; then
 * one ip-l2tp(8) command, or one per line of a batch file. The only place
 * that prints errors and chooses the exit status.
 *
 * Exit status: 0 success (also for help), 1 any error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ARGS 64

static void print_warnings(const struct cli_cmd *cmd)
{
	if (cmd->warnings & CLI_WARN_OFFSET)
		fputs("Ignoring option \"offset\"\n", stderr);
	if (cmd->warnings & CLI_WARN_PEER_OFFSET)
		fputs("Ignoring option \"peer_offset\"\n", stderr);
}

/* Parse and run one command; connects on first use. Returns 0 or -errno. */
static int run_one(int argc, char **argv, const struct cli_opts *o, struct cli_conn *c)
{
	struct cli_cmd cmd;
	char err[CLI_ERRLEN];
	int rc = cli_parse(argc, argv, &cmd, err, sizeof(err));

	if (rc == 1) {
		cli_usage(stdout);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return rc;
	}
	print_warnings(&cmd);
	if (c->fd < 0) {
		rc = cli_connect(c, o->socket_path, o->netns, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "l2tp: %s\n", err);
			return rc;
		}
	}
	rc = cli_run(c, o, &cmd, stdout, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "l2tp: %s\n", err);
	return rc;
}

/*
 * Split |line| in place into words, iproute2's makeargs(): blanks separate,
 * '"' or '\'' quote, '#' at a word start ends the line. Returns the count,
 * or -1 for an unterminated quote or too many words.
 */
static int split_line(char *line, char **argv, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *w;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			return n;
		if (n >= max)
			return -1;
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			w = p;
			while (*p && *p != q)
				p++;
			if (!*p)
				return -1;
		} else {
			w = p;
			while (*p && !isspace((unsigned char)*p))
				p++;
		}
		argv[n++] = w;
		if (*p)
			*p++ = '\0';
	}
}

static int batch(const char *name, bool force, const struct cli_opts *o, struct cli_conn *c)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, ret = 0;

	if (!f) {
		fprintf(stderr, "l2tp: cannot open batch file \"%s\": %s\n", name, strerror(errno));
		return 1;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *argv[MAX_ARGS];
		int argc;

		lineno++;
		argc = split_line(line, argv, MAX_ARGS);
		if (argc == 0)
			continue;
		if (argc < 0 || run_one(argc, argv, o, c) < 0) {
			if (argc < 0)
				fprintf(stderr, "l2tp: malformed line (quote or length)\n");
			fprintf(stderr, "Command failed %s:%d\n", name, lineno);
			ret = 1;
			if (!force)
				break;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	struct cli_opts o = {0};
	struct cli_conn c = {.fd = -1};
	const char *batch_file = NULL;
	bool force = false;
	int rc;

	while (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		const char *opt = argv[1];

		if (opt[1] == '-')
			opt++; /* --json works as -json */
		if (cli_matches(opt, "-json")) {
			o.json = true;
		} else if (cli_matches(opt, "-pretty")) {
			o.pretty = true;
		} else if (cli_matches(opt, "-statistics") || cli_matches(opt, "-stats")) {
			o.stats++;
		} else if (!strcmp(opt, "-S") || cli_matches(opt, "-socket") ||
			   cli_matches(opt, "-Socket")) {
			if (argc < 3) {
				fprintf(stderr, "Option \"%s\" needs a PATH\n", argv[1]);
				return 1;
			}
			o.socket_path = argv[2];
			argc--;
			argv++;
		} else if (cli_matches(opt, "-netns")) {
			/* ip -n NAME: entered at once, like ip's netns_switch() */
			char err[CLI_ERRLEN];

			if (argc < 3) {
				fprintf(stderr, "Option \"%s\" needs a NAME\n", argv[1]);
				return 1;
			}
			if (cli_netns_enter(argv[2], err, sizeof(err)) < 0) {
				fprintf(stderr, "%s\n", err);
				return 1;
			}
			o.netns = argv[2];
			argc--;
			argv++;
		} else if (cli_matches(opt, "-batch")) {
			if (argc < 3) {
				fprintf(stderr, "Option \"%s\" needs a FILE\n", argv[1]);
				return 1;
			}
			batch_file = argv[2];
			argc--;
			argv++;
		} else if (cli_matches(opt, "-force")) {
			force = true;
		} else if (cli_matches(opt, "-Version")) {
			printf("l2tp utility, l2tpkit-%s\n", L2TP_VERSION_STRING);
			return 0;
		} else if (cli_matches(opt, "-help")) {
			cli_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "Option \"%s\" is unknown, try \"l2tp -help\".\n", argv[1]);
			return 1;
		}
		argc--;
		argv++;
	}

	if (batch_file)
		rc = batch(batch_file, force, &o, &c);
	else if (argc <= 1) {
		cli_usage(stderr);
		rc = 1;
	} else {
		rc = run_one(argc - 1, argv + 1, &o, &c) < 0 ? 1 : 0;
	}
	cli_close(&c);
	return rc;
}
