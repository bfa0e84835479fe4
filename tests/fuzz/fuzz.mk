# libFuzzer targets: tests/fuzz/fuzz_NAME.c with seeds in tests/fuzz/corpus/NAME/.
# `make fuzz` builds them with clang (ASan, UBSan) into build-fuzz/ and runs
# each for FUZZ_SECONDS, one after another; it fails if any target fails.
# `make fuzz FUZZ_TARGETS="reader mutf7"` runs only those. `make fuzz-ci`
# is the short run CI does. A new target is one new fuzz_NAME.c file.
FUZZ_SECONDS    ?= 60
FUZZ_CI_SECONDS ?= 30
FUZZ_TARGETS    ?=
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
# Targets for parts that may not be in this tree yet.
ifeq ($(wildcard message/parser.h),)
FUZZ_SRC := $(filter-out tests/fuzz/fuzz_message.c,$(FUZZ_SRC))
endif
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%)

.PHONY: fuzz fuzz-ci fuzz-build fuzz-replay
fuzz-build:
	$(MAKE) FUZZ=1 $(FUZZ_BIN)

build-fuzz/fuzz/%: build-fuzz/tests/fuzz/%.o build-fuzz/libimapd.a
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

fuzz: fuzz-build
	@sh tests/fuzz/run build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-ci: fuzz-build
	@sh tests/fuzz/run build-fuzz $(FUZZ_CI_SECONDS) $(FUZZ_TARGETS)

# Runs every target once over its committed corpus, without fuzzing.
fuzz-replay: fuzz-build
	@sh tests/fuzz/run build-fuzz 0 $(FUZZ_TARGETS)

-include $(FUZZ_BIN:build-fuzz/fuzz/%=build-fuzz/tests/fuzz/%.d)
