# libFuzzer targets: one per fuzz/fuzz_*.c, built with clang against the
# library sources compiled with the fuzzer's coverage instrumentation.
MAKEFLAGS += -r
.SUFFIXES:
.SECONDARY:
FUZZ_CC ?= clang
B := build-fuzz
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
LIB_SRC  := $(sort $(wildcard lib/*.c))
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=$(B)/%)
FCFLAGS := -std=c11 -g -O1 -Iinclude -Ilib -D_GNU_SOURCE -Wall -Wextra -Werror \
	-Wno-unused-parameter -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
FLIBS := $(shell pkg-config --libs libmnl libcrypto 2>/dev/null || echo -lmnl -lcrypto)

.PHONY: fuzz-build
fuzz-build: $(FUZZ_BIN)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FCFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BIN): $(B)/%: $(B)/obj/fuzz/%.o $(LIB_SRC:%.c=$(B)/obj/%.o)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(FLIBS)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
