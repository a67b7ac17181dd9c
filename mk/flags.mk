# Compiler flags. CFLAGS, CPPFLAGS and LDFLAGS from the environment are kept
# (dpkg-buildflags); ours are added in ALL_*.
CC ?= cc
ifeq ($(origin CC),default)
CC := cc
endif
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wformat=2 -Wvla
ALL_CPPFLAGS := -Iinclude -D_GNU_SOURCE $(CPPFLAGS) \
	$(shell pkg-config --cflags libmnl libcrypto liburing libbpf 2>/dev/null)
ALL_CFLAGS := -std=c11 $(WARN) -fno-strict-aliasing $(CFLAGS)
LIBS := $(shell pkg-config --libs libmnl libcrypto liburing libbpf 2>/dev/null || \
	echo -lmnl -lcrypto -luring -lbpf -lelf -lz) -pthread
# the eBPF datapath's programs (daemon/datapath/ebpf/*.bpf.c)
BPF_CLANG ?= clang
BPF_CFLAGS := -O2 -g -mcpu=v3 -target bpf -Wall -Werror \
	-I/usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

ifeq ($(VARIANT),asan)
BUILDDIR ?= build-asan
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
ALL_CFLAGS += $(SAN) -O1 -g
LDFLAGS += $(SAN)
else ifeq ($(VARIANT),tsan)
# ThreadSanitizer for the datapath's worker threads (make check-tsan)
BUILDDIR ?= build-tsan
SAN := -fsanitize=thread -fno-omit-frame-pointer
ALL_CFLAGS += $(SAN) -O1 -g
LDFLAGS += $(SAN)
else
BUILDDIR ?= build
endif

ifeq ($(V),1)
Q_CC :=
Q_LD :=
Q_AR :=
Q_GEN :=
else
Q_CC = @echo "  CC      $@";
Q_LD = @echo "  LD      $@";
Q_AR = @echo "  AR      $@";
Q_GEN = @echo "  GEN     $@";
endif
