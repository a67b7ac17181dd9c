// SPDX-License-Identifier: MIT
/*
 * daemon/log.c - stderr or syslog sink for l2tpd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static bool log_syslog;
static bool log_dbg;
static bool log_quiet;

void l2tpd_log_init(const char *ident, bool to_syslog, bool debug)
{
	log_syslog = to_syslog;
	log_dbg = debug;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void l2tpd_log_set_debug(bool debug)
{
	log_dbg = debug;
}

void l2tpd_log_set_quiet(bool quiet)
{
	log_quiet = quiet;
}

bool l2tpd_log_debug_enabled(void)
{
	return log_dbg;
}

void l2tpd_log_close(void)
{
	if (log_syslog)
		closelog();
	log_syslog = false;
}

void l2tpd_vlog(enum l2tpd_log_level lvl, const char *fmt, va_list ap)
{
	static const int prio[] = {LOG_WARNING, LOG_INFO, LOG_DEBUG};
	static const char *const tag[] = {"warning: ", "", "debug: "};

	if ((lvl == L2TPD_LOG_DEBUG && !log_dbg) || (lvl != L2TPD_LOG_WARN && log_quiet))
		return;
	if (log_syslog) {
		vsyslog(prio[lvl], fmt, ap);
		return;
	}
	fputs("l2tpd: ", stderr);
	fputs(tag[lvl], stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void vlog_errno(enum l2tpd_log_level lvl, int err, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_syslog)
		syslog(lvl == L2TPD_LOG_WARN ? LOG_WARNING : LOG_ERR, "%s: %s", line,
		       strerror(err));
	else
		fprintf(stderr, "l2tpd: %s%s: %s\n", lvl == L2TPD_LOG_WARN ? "warning: " : "", line,
			strerror(err));
}

void log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(L2TPD_LOG_WARN, err, fmt, ap);
	va_end(ap);
	errno = err;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	l2tpd_vlog(L2TPD_LOG_WARN, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	l2tpd_vlog(L2TPD_LOG_INFO, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_dbg)
		return;
	va_start(ap, fmt);
	l2tpd_vlog(L2TPD_LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(L2TPD_LOG_INFO, err, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	l2tpd_vlog(L2TPD_LOG_WARN, fmt, ap);
	va_end(ap);
	exit(1);
}

bool l2tpd_ratelimit_ok(struct l2tpd_ratelimit *rl, l2tp_time_t now, unsigned long *suppressed)
{
	if (now - rl->window_start >= rl->interval || now < rl->window_start) {
		rl->window_start = now;
		rl->printed = 0;
	}
	if (rl->printed >= rl->burst) {
		rl->suppressed++;
		return false;
	}
	rl->printed++;
	if (suppressed)
		*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

void log_warnx_rl(struct l2tpd_ratelimit *rl, l2tp_time_t now, const char *fmt, ...)
{
	unsigned long sup = 0;
	char line[512];
	va_list ap;

	if (!l2tpd_ratelimit_ok(rl, now, &sup))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (sup)
		log_warnx("%s (%lu similar suppressed)", line, sup);
	else
		log_warnx("%s", line);
}
