# l2tpkit: plain non-recursive GNU Makefile.
#
#   make                 deps (--build), libl2tp.a, l2tpd, l2tp, l2tp-compat,
#                        libl2tpd-netlink.so, libl2tp.pc, l2tpd.service (build/)
#   make build           the same without the deps check (make install, debian/rules)
#   make check           deps, ASan+UBSan build, every test suite, summary line
#   make fuzz            libFuzzer targets, longer runs       (build-fuzz/)
#   make bench           micro benchmarks (ns/packet, control setups/s)
#   make sim-long        the control-protocol simulation over 200 seeds
#   make check-long      slow scenarios (tests/long: 10,000 managed sessions)
#   make check-kernel    against Debian's kernel in QEMU: the full static matrix
#   make bench-managed   sessions set up per second, memory per session
#   make demo            two namespaces, a static pseudowire, ping
#   make install         PREFIX=/usr/local DESTDIR= (SBINDIR LIBDIR INCDIR MANDIR
#                        SYSCONFDIR UNITDIR PKGCONFIGDIR)
#   make deb             Debian packages of HEAD's files into build/deb/
#   make check-deb       make deb, lintian, the packages unpacked and run
#   make clean
#
# VARIANT=asan builds into build-asan/ with ASan+UBSan, VARIANT=tsan into
# build-tsan/ with ThreadSanitizer; V=1 shows commands.

VARIANT ?= release
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
# /etc also for PREFIX=/usr/local: l2tpd.service and the docs name
# /etc/l2tpd/l2tpd.conf
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
VERSION := 0.1

include mk/flags.mk

# No built-in rules or suffixes: with match-anything test rules they make GNU
# make search an enormous implicit-rule tree.
MAKEFLAGS += -r
.SUFFIXES:
.SECONDARY:

B := $(BUILDDIR)

LIB_SRC    := $(sort $(wildcard lib/*.c))
DAEMON_SRC := $(sort $(filter-out %.bpf.c,$(wildcard daemon/*.c daemon/datapath/*/*.c)))
# BPF programs: clang -target bpf, then a libbpf skeleton header (bpftool)
BPF_SRC    := $(sort $(wildcard daemon/datapath/*/*.bpf.c))
BPF_SKEL   := $(BPF_SRC:%.bpf.c=$(B)/%.skel.h)
CLI_SRC    := $(sort $(wildcard cli/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
TLIB_SRC   := $(sort $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c)))
ITEST_SRC  := $(sort $(wildcard tests/interop/test_*.c))
CTEST_SRC  := $(sort $(wildcard tests/cli/test_*.c))
DTEST_SRC  := $(sort $(wildcard tests/daemon/test_*.c))
STEST_SRC  := $(sort $(wildcard tests/sim/test_*.c))
SLIB_SRC   := $(sort $(filter-out $(STEST_SRC),$(wildcard tests/sim/*.c)))
BENCH_SRC  := $(sort $(wildcard bench/bench_*.c))
FUZZ_SRC   := $(sort $(wildcard fuzz/fuzz_*.c))

LIB_OBJ    := $(LIB_SRC:%.c=$(B)/%.o)
LIBA       := $(B)/libl2tp.a
L2TPD      := $(if $(DAEMON_SRC),$(B)/l2tpd)
L2TP       := $(if $(CLI_SRC),$(B)/l2tp)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TLIB_OBJ   := $(TLIB_SRC:%.c=$(B)/%.o)
ITEST_BIN  := $(ITEST_SRC:tests/interop/%.c=$(B)/tests/%)
CTEST_BIN  := $(CTEST_SRC:tests/cli/%.c=$(B)/tests/%)
DTEST_BIN  := $(DTEST_SRC:tests/daemon/%.c=$(B)/tests/%)
STEST_BIN  := $(STEST_SRC:tests/sim/%.c=$(B)/tests/%)
SLIB_OBJ   := $(SLIB_SRC:%.c=$(B)/%.o)
# objects of the programs without main(), for their unit tests
CLI_LIBOBJ    := $(filter-out $(B)/cli/main.o,$(CLI_SRC:%.c=$(B)/%.o))
# l2tpd reads its configuration file with the CLI's own grammar
DAEMON_OBJ    := $(DAEMON_SRC:%.c=$(B)/%.o) $(B)/cli/grammar.o $(B)/cli/format.o \
	$(B)/cli/netns.o
DAEMON_LIBOBJ := $(filter-out $(B)/daemon/main.o,$(DAEMON_OBJ))
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
# ip l2tp and other kernel-L2TP tools against l2tpd (compat/, l2tp-compat(8))
PRELOAD    := $(B)/libl2tpd-netlink.so
COMPAT     := $(B)/l2tp-compat

.PHONY: all build tests check check-build fuzz fuzz-build bench bench-cg bench-net demo sim-long \
	check-long check-kernel bench-managed deb check-deb \
	install uninstall clean format check-layering FORCE

# A fresh machine's first "make" installs what the build needs (deps.sh is one
# dpkg-query when nothing is missing; as non-root, or with L2TPKIT_NO_DEPS=1,
# it only says what is missing), then builds in a second make that sees the
# new packages' pkg-config files. With other goals beside it ("make all
# tests -j2") it is plain "build": a second make would build the same files
# at the same time as this one (two writers of l2tp.bpf.o, of l2tpd).
ifeq ($(filter-out all,$(MAKECMDGOALS)),)
all:
	@scripts/deps.sh --build
	@$(MAKE) --no-print-directory build
else
all: build
endif

GENERATED := $(B)/libl2tp.pc $(B)/l2tpd.service
build: $(LIBA) $(L2TPD) $(L2TP) $(PRELOAD) $(COMPAT) $(GENERATED)

# The install paths baked into generated files; the stamp changes only when
# they do, so a rebuild with the same paths remakes nothing.
PATHS := $(VERSION) $(PREFIX) $(SBINDIR) $(LIBDIR) $(INCDIR) $(SYSCONFDIR)
$(B)/paths.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(PATHS)' | cmp -s - $@ || echo '$(PATHS)' >$@
FORCE:

SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
	-e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCDIR@|$(INCDIR)|g' \
	-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@VERSION@|$(VERSION)|g'
$(B)/libl2tp.pc: lib/libl2tp.pc.in $(B)/paths.stamp
	@echo "  GEN     $@"; $(SUBST) $< >$@
$(B)/l2tpd.service: systemd/l2tpd.service.in $(B)/paths.stamp
	@echo "  GEN     $@"; $(SUBST) $< >$@

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/%.bpf.o: %.bpf.c
	@mkdir -p $(@D)
	@echo "  BPF     $@"; $(BPF_CLANG) $(BPF_CFLAGS) -MMD -MP -c -o $@ $<
$(B)/%.skel.h: $(B)/%.bpf.o
	@echo "  SKEL    $@"; bpftool gen skeleton $< name l2tp_bpf >$@.tmp && mv $@.tmp $@
# the loader includes its skeleton
$(B)/daemon/datapath/ebpf/ebpf.o: $(BPF_SKEL)
$(B)/daemon/datapath/ebpf/ebpf.o: ALL_CPPFLAGS += -I$(B)/daemon/datapath/ebpf
# BPF_PROG_TEST_RUN of the programs (the skeleton) against libl2tp
$(B)/tests/daemon/test_ebpf_prog.o: $(BPF_SKEL)
$(B)/tests/daemon/test_ebpf_prog.o: ALL_CPPFLAGS += -I$(B)/daemon/datapath/ebpf \
	-Idaemon/datapath/ebpf -Itests/unit

$(LIBA): $(LIB_OBJ)
	$(Q_AR)rm -f $@ && $(AR) rcs $@ $^

$(B)/l2tpd: $(DAEMON_OBJ) $(LIBA)
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/l2tp: $(CLI_SRC:%.c=$(B)/%.o) $(LIBA)
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# The preload library goes into programs that are not instrumented: never
# with sanitizers (an ASan library needs the ASan runtime loaded first).
$(PRELOAD): compat/preload.c
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_CPPFLAGS) -std=c11 $(WARN) -fno-strict-aliasing $(CFLAGS) -fPIC \
		-fvisibility=hidden -shared $(filter-out $(SAN),$(LDFLAGS)) -o $@ $< -ldl

$(COMPAT): compat/l2tp-compat.in
	@mkdir -p $(@D)
	$(Q_GEN)sed 's|@LIBDIR@|$(LIBDIR)|g' $< >$@ && chmod 755 $@

$(UNIT_BIN): $(B)/tests/%: $(B)/tests/unit/%.o $(TLIB_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

$(ITEST_BIN): $(B)/tests/%: $(B)/tests/interop/%.o $(TLIB_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

$(CTEST_BIN): $(B)/tests/%: $(B)/tests/cli/%.o $(CLI_LIBOBJ) $(TLIB_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

$(DTEST_BIN): $(B)/tests/%: $(B)/tests/daemon/%.o $(DAEMON_LIBOBJ) $(TLIB_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

$(STEST_BIN): $(B)/tests/%: $(B)/tests/sim/%.o $(SLIB_OBJ) $(TLIB_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)
$(B)/tests/sim/%.o: ALL_CPPFLAGS += -Itests/unit -Itests/sim

$(BENCH_BIN): $(B)/bench/%: $(B)/bench/%.o $(LIBA)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)
# bench_tapq measures the daemon's TAP write queue
$(B)/bench/bench_tapq: $(B)/daemon/tapq.o $(B)/daemon/tap.o

# the pppd stand-in of the L2TPv2 interop scenarios (tests/interop/v2)
FAKEPPPD := $(B)/tests/fakepppd
$(FAKEPPPD): $(B)/tests/interop/v2/fakepppd.o $(LIBA)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# the RADIUS server l2tpns authenticates PPP users with (tests/interop/v2)
FAKERADIUS := $(B)/tests/fakeradius
$(FAKERADIUS): $(B)/tests/interop/v2/fakeradius.o $(LIBA)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

tests: build $(UNIT_BIN) $(ITEST_BIN) $(CTEST_BIN) $(DTEST_BIN) $(STEST_BIN) $(FAKEPPPD) \
	$(FAKERADIUS)

# ---- the gate -------------------------------------------------------------
check:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory VARIANT=asan tests
	@$(MAKE) --no-print-directory VARIANT=tsan tests
	@$(MAKE) --no-print-directory -f mk/fuzz.mk fuzz-build
	@scripts/check.sh

# ---- the control-protocol simulation over many seeds (tests/sim) ----------
# SIM_LONG_SEEDS seeds of every scenario, each run printing its seed.
SIM_LONG_SEEDS ?= 200
sim-long:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory VARIANT=asan build-asan/tests/test_sim
	@fail=0; for s in $$(seq 1 $(SIM_LONG_SEEDS)); do \
		SIM_SEED=$$s SIM_SEEDS=4 build-asan/tests/test_sim >build-asan/sim-$$s.log 2>&1 \
			|| { echo "FAIL seed $$s (build-asan/sim-$$s.log)"; fail=$$((fail+1)); }; \
	done; echo "sim-long: $(SIM_LONG_SEEDS) seeds, $$fail failed"; [ $$fail -eq 0 ]

check-long:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@fail=0; for t in tests/long/*.sh; do \
		echo "== $$t"; timeout 1800 bash $$t || { echo "FAIL $$t"; fail=1; }; \
	done; [ $$fail -eq 0 ]

# ---- Debian's kernel in QEMU as the peer (tests/interop/kernel), all cases ------
check-kernel:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory VARIANT=asan tests
	@KERNEL_MATRIX=full CHECK_ONLY='^interop/kernel/' scripts/check.sh

bench-managed:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/bench-managed.sh

# ---- fuzzing (clang + libFuzzer), see mk/fuzz.mk ---------------------------
fuzz-build:
	@$(MAKE) --no-print-directory -f mk/fuzz.mk fuzz-build
fuzz:
	@$(MAKE) --no-print-directory -f mk/fuzz.mk fuzz-build
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-60} scripts/fuzz.sh long

# ---- benchmarks -----------------------------------------------------------
bench: $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

bench-cg: $(BENCH_BIN)
	@scripts/deps.sh --bench
	@BUILDDIR=$(B) bench/callgrind.sh

bench-net: all
	@scripts/deps.sh --bench
	@scripts/bench-net.sh

# deps first: on a fresh machine the build itself needs them (libmnl, liburing)
demo:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

# ---- install ---------------------------------------------------------------
# Never installs packages (build, not all): it runs as root, also under
# dpkg-buildpackage. The example configuration (comments only) is installed
# only where there is no file yet.
install: build
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)/l2tp $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/
	install -m 644 include/l2tp/*.h $(DESTDIR)$(INCDIR)/l2tp/
	install -m 644 $(B)/libl2tp.pc $(DESTDIR)$(PKGCONFIGDIR)/
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/l2tpd
	install -m 644 $(B)/l2tpd.service $(DESTDIR)$(UNITDIR)/
	@[ -e $(DESTDIR)$(SYSCONFDIR)/l2tpd/l2tpd.conf ] || { \
		echo install -m 644 docs/l2tpd.conf.example $(DESTDIR)$(SYSCONFDIR)/l2tpd/l2tpd.conf; \
		install -m 644 docs/l2tpd.conf.example $(DESTDIR)$(SYSCONFDIR)/l2tpd/l2tpd.conf; }
	$(if $(L2TPD)$(L2TP),install -d $(DESTDIR)$(SBINDIR))
	$(if $(L2TPD),install -m 755 $(L2TPD) $(DESTDIR)$(SBINDIR)/)
	$(if $(L2TP),install -m 755 $(L2TP) $(DESTDIR)$(SBINDIR)/)
	install -d $(DESTDIR)$(LIBDIR)/l2tpkit
	install -m 644 $(PRELOAD) $(DESTDIR)$(LIBDIR)/l2tpkit/
	sed 's|@LIBDIR@|$(LIBDIR)|g' compat/l2tp-compat.in >$(DESTDIR)$(SBINDIR)/l2tp-compat
	chmod 755 $(DESTDIR)$(SBINDIR)/l2tp-compat
	@for m in $(wildcard docs/*.[0-9]); do \
		s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		echo install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libl2tp.a $(DESTDIR)$(SBINDIR)/l2tpd $(DESTDIR)$(SBINDIR)/l2tp
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/libl2tp.pc $(DESTDIR)$(UNITDIR)/l2tpd.service
	rm -f $(DESTDIR)$(SBINDIR)/l2tp-compat $(DESTDIR)$(LIBDIR)/l2tpkit/libl2tpd-netlink.so
	-rmdir $(DESTDIR)$(LIBDIR)/l2tpkit 2>/dev/null
	rm -rf $(DESTDIR)$(INCDIR)/l2tp
	@for m in $(notdir $(wildcard docs/*.[0-9])); do \
		rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; done

# ---- Debian packages (debian/) ------------------------------------------------
# dpkg-buildpackage in a copy of the tracked files (the working tree stays
# clean); the .deb files land in build/deb/. scripts/deb.sh says more.
# make check runs the same check (tests/pkg/deb.sh) when the packaging tools
# are installed, and skips it otherwise; check-deb installs them first.
deb:
	@scripts/deps.sh --deb
	@scripts/deb.sh build
check-deb:
	@scripts/deps.sh --deb
	@scripts/deb.sh check

# lib/ must stay free of I/O, clocks and randomness (DESIGN.md).
check-layering: $(LIBA)
	@! grep -nE '#include <(sys/socket|time|unistd|sys/time|netinet/in)\.h>' lib/*.c lib/*.h || \
		{ echo "lib/ includes an I/O header"; exit 1; }
	@! nm -u $(LIBA) | grep -wE 'socket|sendto|sendmsg|recvfrom|recvmsg|read|write|clock_gettime|time|getrandom|rand|random' || \
		{ echo "libl2tp.a imports an I/O, clock or random symbol"; exit 1; }
	@echo "layering ok"

format:
	clang-format -i $(LIB_SRC) $(DAEMON_SRC) $(CLI_SRC) compat/*.c include/l2tp/*.h

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
