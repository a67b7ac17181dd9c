/* SPDX-License-Identifier: MIT */
/*
 * daemon/log.h - l2tpd logging: stderr or syslog, OpenBSD log.c shape.
 *
 * log_warn() appends strerror(errno); log_warnx() does not. fatal()/fatalx()
 * are for startup only (STYLE.md §3.4): at runtime the daemon logs, counts
 * and continues.
 */
#ifndef L2TPD_LOG_H
#define L2TPD_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <l2tp/types.h>

enum l2tpd_log_level {
	L2TPD_LOG_WARN,
	L2TPD_LOG_INFO,
	L2TPD_LOG_DEBUG,
};

/* Log to stderr (|to_syslog| false) or to syslog as |ident|. */
void l2tpd_log_init(const char *ident, bool to_syslog, bool debug);
void l2tpd_log_set_debug(bool debug);
/* Drop info (and debug) messages; warnings still pass. For tests. */
void l2tpd_log_set_quiet(bool quiet);
bool l2tpd_log_debug_enabled(void);
void l2tpd_log_close(void);

void l2tpd_vlog(enum l2tpd_log_level lvl, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A token bucket for per-packet events: at most |burst| lines per |interval|
 * nanoseconds; the number of suppressed lines is reported with the next line
 * that passes. Keeps a flood of garbage from turning into a flood of log.
 */
struct l2tpd_ratelimit {
	l2tp_time_t interval;
	unsigned int burst;
	l2tp_time_t window_start;
	unsigned int printed;
	unsigned long suppressed;
};

#define L2TPD_RATELIMIT_INIT(interval_, burst_)                                                    \
	{                                                                                          \
		.interval = (interval_), .burst = (burst_)                                         \
	}

/*
 * Returns true if a line may be printed at |now|; *|suppressed| (if not NULL)
 * receives the number of lines dropped since the last one printed.
 */
bool l2tpd_ratelimit_ok(struct l2tpd_ratelimit *rl, l2tp_time_t now, unsigned long *suppressed);

/* log_warnx() through |rl|, appending "(N similar suppressed)" when needed. */
void log_warnx_rl(struct l2tpd_ratelimit *rl, l2tp_time_t now, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* L2TPD_LOG_H */
