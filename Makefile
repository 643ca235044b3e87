# PUPNS -- build, run, test, bench. See README.md.
#
#   make run     install what is missing, build, start the local stack, print the portal address
#   make test    same set-up on private ports, then every test; last line "N passed, N failed"
#   make stop    stop the local stack
#   make bench   all benchmarks (results in docs/BENCHMARKS.md)

CC      ?= cc
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
PKGS    := rdkafka libpq jansson hiredis libsodium
INCS    := -Ilibcommon $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lulfius -lorcania -lyder -lmicrohttpd -lpthread -lm
GD_LIBS := -lgd
RECEIPT_LIBS := -lhpdf -lqrencode
NOTIFY_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)

# Two flavours: rel (optimised) and asan (ASan+UBSan, what the tests run).
ifeq ($(SAN),1)
  FLAVOUR := asan
  OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
  FLAVOUR := rel
  OPT     := -O2 -g
endif
BUILD   ?= build
B       := $(BUILD)/$(FLAVOUR)
CFLAGS  += $(CSTD) $(WARN) $(OPT) $(INCS) -MMD -MP
LDFLAGS += $(OPT)

COMMON_SRC := $(wildcard libcommon/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(B)/%.o)
COMMON_LIB := $(B)/libcommon.a

SERVICES   := $(patsubst services/%/main.c,%,$(wildcard services/*/main.c))
SERVICE_BINS := $(SERVICES:%=$(B)/bin/pupns-%)
TOOL_BINS  := $(B)/bin/pupns-seed $(B)/bin/pupns-pwhash-bench $(B)/bin/pupns-receipt-bench
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
ITEST_SRC  := $(wildcard tests/integration/itest_*.c)
ITEST_BINS := $(ITEST_SRC:tests/integration/%.c=$(B)/tests/%)

# The receipt's fonts: subsets of Debian's DejaVu (services/receipt/fonts.h).
FONT_SRC     := /usr/share/fonts/truetype/dejavu
RECEIPT_FONTS := $(patsubst %,$(B)/fonts/%.ttf,DejaVuSans DejaVuSans-CP1252 DejaVuSans-Bold DejaVuSansMono-Bold)
# DejaVu Sans for the UTF-8 font: Latin, for text beyond Windows-1252.
FONT_UNICODES := U+0020-007E,U+00A0-036F,U+1E00-1EFF,U+2000-206F,U+20AC,U+2122
# The WinAnsi fonts: DejaVu Sans with exactly Windows-1252's characters (data
# text that it holds), Bold and Mono Bold with ASCII (fixed texts, number, NIP).
$(B)/fonts/DejaVuSans-CP1252.ttf: FONT_UNICODES := U+0020-007E,U+00A0-00FF,U+0152,U+0153,U+0160,U+0161,U+0178,U+017D,U+017E,U+0192,U+02C6,U+02DC,U+2013,U+2014,U+2018-201A,U+201C-201E,U+2020-2022,U+2026,U+2030,U+2039,U+203A,U+20AC,U+2122
$(B)/fonts/DejaVuSans-Bold.ttf $(B)/fonts/DejaVuSansMono-Bold.ttf: FONT_UNICODES := U+0020-007E

.PHONY: all build deps run stop test test-unit bench bench-lookup bench-register bench-receipt bench-soak bench-verifier seed lint clean
all build: $(SERVICE_BINS) $(TOOL_BINS) $(UNIT_BINS) $(ITEST_BINS) $(RECEIPT_FONTS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $(FLAVOUR) $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(COMMON_LIB): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

.SECONDARY:
.SECONDEXPANSION:

# One binary per service folder, from its own top-level .c files.
define service_rule
$(B)/bin/pupns-$(1): $(patsubst %.c,$(B)/%.o,$(wildcard services/$(1)/*.c)) $(COMMON_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LIBS) $$(if $$(filter captcha,$(1)),$$(GD_LIBS)) $$(if $$(filter receipt,$(1)),$$(RECEIPT_LIBS)) $$(if $$(filter notify,$(1)),$$(NOTIFY_LIBS))
endef
$(foreach s,$(SERVICES),$(eval $(call service_rule,$(s))))

# pupns-seed: every .c of services/identity/seed/ (a subfolder, so not part of pupns-identity).
$(B)/bin/pupns-seed: $(patsubst %.c,$(B)/%.o,$(wildcard services/identity/seed/*.c)) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# tests/unit/test_<service>_<module>.c sees that service's headers and links that service's modules (not its main.c).
$(B)/tests/unit/test_%.o: CFLAGS += -Iservices/$(word 2,$(subst _, ,$(notdir $*)))
service_objs = $(patsubst %.c,$(B)/%.o,$(filter-out %/main.c,$(wildcard services/$(1)/*.c)))
$(B)/bin/pupns-pwhash-bench: $(B)/tests/bench/pwhash_bench.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tests/bench/pwhash_bench.o: CFLAGS += -Iservices/registration
$(B)/bin/pupns-receipt-bench: $(B)/tests/bench/receipt_bench.o $(filter-out %/main.o %/events.o %/requests.o %/store.o,$(patsubst %.c,$(B)/%.o,$(wildcard services/receipt/*.c))) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(RECEIPT_LIBS)
$(B)/tests/bench/receipt_bench.o: CFLAGS += -Iservices/receipt
$(B)/tests/test_%: $(B)/tests/unit/test_%.o $$(call service_objs,$$(firstword $$(subst _, ,$$*))) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(GD_LIBS) $(RECEIPT_LIBS) $(NOTIFY_LIBS) -lcmocka

$(B)/tests/itest_%: $(B)/tests/integration/itest_%.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
# itest_captcha also calls the captcha store directly (a check delivered twice).
$(B)/tests/integration/itest_captcha.o: CFLAGS += -Iservices/captcha
$(B)/tests/itest_captcha: $(B)/services/captcha/store.o $(B)/services/captcha/challenge.o
$(B)/tests/itest_captcha: LIBS := $(COMMON_LIB) $(LIBS)

# The subsets, without hinting and layout tables: libharu copies every table of
# an embedded font into every PDF (services/receipt/subset_font.py; a plain
# copy of the font without fontTools).
FONT_PYTHON ?= /usr/bin/python3
define subset_font
	@mkdir -p $(dir $@)
	@echo "  FONT $(FLAVOUR) $(notdir $@)"
	@if $(FONT_PYTHON) -c 'import fontTools.subset' 2>/dev/null; then \
	  $(FONT_PYTHON) services/receipt/subset_font.py $< $@.tmp $(FONT_UNICODES) $(FONT_PS_NAME) && mv $@.tmp $@; \
	  else cp $< $@; fi
endef
$(B)/fonts/%.ttf: $(FONT_SRC)/%.ttf Makefile services/receipt/subset_font.py
	$(subset_font)
$(B)/fonts/DejaVuSans-CP1252.ttf: FONT_PS_NAME := DejaVuSans-CP1252
$(B)/fonts/DejaVuSans-CP1252.ttf: $(FONT_SRC)/DejaVuSans.ttf Makefile services/receipt/subset_font.py
	$(subset_font)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

deps:
	@./infra/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory -j2 build
	@./infra/stack/run.sh

stop:
	@./infra/stack/run.sh stop

test: deps
	@$(MAKE) --no-print-directory -j2 build
	@$(MAKE) --no-print-directory -j2 build SAN=1
	@./tests/run.sh

test-unit:
	@$(MAKE) --no-print-directory build SAN=1
	@./tests/run.sh unit

seed: build
	@./infra/stack/seed.sh $(or $(N),10000)

# Each runs on single-node Kafka, then on a three-node cluster (BENCH_KAFKA_NODES="1 3";
# stacks and ports in tests/bench/common.sh), with the binaries of $(BUILD):
# `make BUILD=build-bench bench` keeps them apart from other builds.
bench: bench-lookup bench-register

bench-lookup: deps
	@$(MAKE) --no-print-directory -j2 build
	@BENCH_BIN_DIR=$(abspath $(B))/bin BENCH_WORK=$(abspath $(BUILD))/bench ./tests/bench/bench_lookup.sh

bench-receipt: deps
	@$(MAKE) --no-print-directory -j2 build
	@BENCH_BIN_DIR=$(abspath $(B))/bin ./tests/bench/bench_receipt.sh

bench-verifier: deps
	@$(MAKE) --no-print-directory -j2 build
	@BENCH_BIN_DIR=$(abspath $(B))/bin BENCH_WORK=$(abspath $(BUILD))/bench ./tests/bench/bench_verifier.sh

# A long run of one stack: 1M look-ups and 5,000 registrations, the services' RSS sampled (tests/bench/soak.sh).
bench-soak: deps
	@$(MAKE) --no-print-directory -j2 build
	@BENCH_BIN_DIR=$(abspath $(B))/bin BENCH_WORK=$(abspath $(BUILD))/bench ./tests/bench/soak.sh

bench-register: deps
	@$(MAKE) --no-print-directory -j2 build
	@BENCH_BIN_DIR=$(abspath $(B))/bin BENCH_WORK=$(abspath $(BUILD))/bench ./tests/bench/bench_register.sh

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --suppress=missingIncludeSystem --inline-suppr -Ilibcommon libcommon services

clean:
	rm -rf build

# Fuzzing (libFuzzer, Debian's clang; tests/fuzz/README.md). The modules the
# targets reach are compiled again with clang into build/fuzz/obj; the
# gateway's network (Kafka calls, rate limits, backpressure) is
# tests/fuzz/gw_stubs.c. `make fuzz` runs each target for FUZZ_SECONDS on a
# copy of its corpus; tests/fuzz/run_corpus.sh (part of `make test`) runs
# each over the committed corpus only.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) \
                -Ilibcommon -Iservices/gateway -Iservices/captcha $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_SRC     := $(addprefix libcommon/,nip.c envelope.c ids.c log.c problem.c plain_text.c password_policy.c \
                  questions.c seal.c status.c) \
                $(addprefix services/gateway/,auth_api.c registration_api.c correction_api.c handler_util.c \
                  respond.c flow_token.c captcha_api.c recovery_api.c account_api.c client_address.c) \
                services/captcha/challenge.c tests/fuzz/gw_stubs.c
FUZZ_OBJ     := $(FUZZ_SRC:%.c=$(FUZZ_DIR)/obj/%.o)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  fuzz $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD  fuzz $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/fuzz/run_fuzz.sh $(FUZZ_TARGETS)
