# imapd — see README. `make`, `make check`, `make demo`, `make install`.
CC       ?= cc
PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR  ?=

# SAN=1 builds everything with AddressSanitizer and UBSan into build-san/.
ifeq ($(SAN),1)
B        := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B        := build
SANFLAGS :=
endif

PKGS     := gnutls
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter \
            -I. -MMD -MP $(SANFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS  += $(SANFLAGS)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcrypt -lpam
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

# Every .c below these folders is part of the product library; a new module needs no edit here.
LIB_SRC  := $(wildcard lib/*.c session/*.c maildir/*.c auth/*.c message/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
TEST_SRC := $(wildcard tests/check_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)
TEST_HELPER_SRC := $(wildcard tests/lib/*.c)
TEST_HELPER_OBJ := $(TEST_HELPER_SRC:%.c=$(B)/%.o)

# Debian packages: to build, and to run the tests and the demo.
DEB_BUILD := gcc make pkg-config libgnutls28-dev libcrypt-dev libpam0g-dev check
DEB_TEST  := python3 systemd gnutls-bin openssl libpam-modules passwd
DEB_ALL   := $(DEB_BUILD) $(DEB_TEST)

.SECONDARY:
.PHONY: all deps check check-unit check-san torture demo install clean format
all: $(B)/imapd imapd

imapd: $(B)/imapd
	@ln -sf $(B)/imapd imapd

$(B)/imapd: $(B)/imapd.o $(B)/libimapd.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/libimapd.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tests/%: $(B)/tests/%.o $(TEST_HELPER_OBJ) $(B)/libimapd.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

# Installs missing Debian packages when root; otherwise prints the apt-get line.
deps:
	@sh tests/install-deps $(DEB_ALL)

check: deps
	$(MAKE) check-unit
	@if [ -n "$$CI" ] || [ "$(WITH_SAN)" = 1 ]; then $(MAKE) check-san; fi

check-unit: all $(TEST_BIN)
	@sh tests/run-all $(B)

check-san:
	$(MAKE) SAN=1 all $(patsubst build/%,build-san/%,$(TEST_BIN))
	@ASAN_OPTIONS=detect_leaks=0 sh tests/run-all build-san

# Longer runs of the torture tests (crashes, disk errors, concurrency) that
# `make check` runs short: TORTURE=1 gives 300 crash trials, every errno at
# every failure point, 2,000 deliveries. TORTURE_SEED=n repeats a run.
TORTURE_TESTS := torture_crash torture_diskerr torture_concurrent
torture: all
	@cd tests/clients && for t in $(TORTURE_TESTS); do \
		echo "$$t"; TORTURE=1 IMAPD_BIN=$(CURDIR)/$(B)/imapd python3 $$t.py || exit 1; done

demo: deps all
	@sh tests/demo

install: all
	install -d $(DESTDIR)$(SBINDIR)
	install -m 755 $(B)/imapd $(DESTDIR)$(SBINDIR)/imapd

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san imapd

-include $(LIB_OBJ:.o=.d) $(B)/imapd.d $(TEST_BIN:=.d) $(TEST_HELPER_OBJ:.o=.d)
