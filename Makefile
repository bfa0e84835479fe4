# imapd — see README. `make`, `make check`, `make demo`, `make install`, `make bench`.
CC       ?= cc
PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DOCDIR   ?= $(PREFIX)/share/doc/imapd
SYSTEMDUNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
SYSUSERSDIR ?= $(or $(shell pkg-config --variable=sysusersdir systemd 2>/dev/null),/usr/lib/sysusers.d)
IMAPD_EXEC = $(SBINDIR)/imapd$(if $(filter /etc,$(SYSCONFDIR)),, --config $(SYSCONFDIR)/imapd/imapd.conf)
DESTDIR  ?=

# SAN=1 builds everything with AddressSanitizer and UBSan into build-san/.
# FUZZ=1 builds the library for libFuzzer with clang into build-fuzz/ (see tests/fuzz/).
ifeq ($(SAN),1)
B        := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(FUZZ),1)
B        := build-fuzz
CC       := clang
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined -DIMAPD_FUZZING
else
B        := build
SANFLAGS :=
endif

# libseccomp filters the system calls of the pre-login process
# (session/seccomp.h); without it (NO_SECCOMP=1, or libseccomp-dev missing)
# that filter is left out.
ifeq ($(NO_SECCOMP)$(shell pkg-config --exists libseccomp || echo none),)
PKGS     := gnutls libseccomp
SECCOMP_CFLAGS :=
else
PKGS     := gnutls
SECCOMP_CFLAGS := -DIMAPD_NO_SECCOMP
endif
CFLAGS   ?= -O2 -g -gdwarf-4
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter \
            -I. -MMD -MP $(SANFLAGS) $(SECCOMP_CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Full RELRO: every symbol is bound at start, before the connection process
# forks, and the table is then read-only; lazy binding would write it later
# in each process, which costs each its own copy of those pages.
LDFLAGS  += $(SANFLAGS) -Wl,-z,relro,-z,now
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcrypt
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

# Every .c below these folders is part of the product library; a new module needs no edit here.
LIB_SRC  := $(wildcard lib/*.c session/*.c maildir/*.c auth/*.c message/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
TEST_SRC := $(wildcard tests/check_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)
TEST_HELPER_SRC := $(wildcard tests/lib/*.c)
TEST_HELPER_OBJ := $(TEST_HELPER_SRC:%.c=$(B)/%.o)

# Debian packages: to build, and to run the tests and the demo.
DEB_BUILD := gcc make pkg-config libgnutls28-dev libcrypt-dev libpam0g-dev libseccomp-dev check
DEB_TEST  := python3 systemd gnutls-bin openssl libpam-modules passwd curl isync \
             libsasl2-modules fetchmail offlineimap3 xinetd ucspi-tcp fail2ban \
             mandoc groff-base man-db shellcheck
DEB_FUZZ  := clang libclang-rt-14-dev valgrind
DEB_ALL   := $(DEB_BUILD) $(DEB_TEST) $(DEB_FUZZ)

.SECONDARY:
.PHONY: all deps check check-unit check-san check-valgrind torture demo install clean format bench bench-smoke
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

# clang's UBSan also catches arithmetic on null pointers, which gcc's does not.
SAN_CC ?= $(shell command -v clang >/dev/null 2>&1 && echo clang || echo $(CC))
check-san:
	$(MAKE) SAN=1 CC=$(SAN_CC) all $(patsubst build/%,build-san/%,$(TEST_BIN))
	@ASAN_OPTIONS=detect_leaks=0 sh tests/run-all build-san

# Unit tests, then the conversations with imapd itself under valgrind memcheck.
# VALGRIND_TESTS="check_proto check_hostile" limits it to those binaries.
VALGRIND := valgrind --vgdb=no --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite -q
check-valgrind: all $(TEST_BIN)
	@VALGRIND_TESTS="$(VALGRIND_TESTS)" sh tests/run-valgrind $(B) "$(VALGRIND)"

include tests/fuzz/fuzz.mk

# Longer runs of the torture tests (crashes, disk errors, concurrency) that
# `make check` runs short: TORTURE=1 gives 300 crash trials, every errno at
# every failure point, 2,000 deliveries. TORTURE_SEED=n repeats a run.
TORTURE_TESTS := torture_crash torture_diskerr torture_concurrent
torture: all
	@cd tests/clients && for t in $(TORTURE_TESTS); do \
		echo "$$t"; TORTURE=1 IMAPD_BIN=$(CURDIR)/$(B)/imapd python3 $$t.py || exit 1; done

demo: deps all
	@sh tests/demo

# Benchmarks side by side with Dovecot: see bench/README.
bench bench-smoke: deps all
	$(MAKE) -f bench/Makefile B=$(B) $@

# The units name $(SBINDIR)/imapd (and --config when SYSCONFDIR is not /etc).
# The config goes to $(SYSCONFDIR)/imapd/imapd.conf only when none is there:
# a re-install never overwrites the admin's file. Examples go to DOCDIR.
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(SYSCONFDIR)/imapd \
	    $(DESTDIR)$(SYSUSERSDIR)
	install -m 755 $(B)/imapd $(DESTDIR)$(SBINDIR)/imapd
	install -m 644 imapd.8 $(DESTDIR)$(MANDIR)/man8/imapd.8
	install -m 644 lib/imapd.conf.5 $(DESTDIR)$(MANDIR)/man5/imapd.conf.5
	for u in imapd.socket imapd@.service imaps.socket imaps@.service; do \
	    sed -e 's|/usr/sbin/imapd|$(IMAPD_EXEC)|' systemd/$$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp && \
	    chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp && \
	    mv $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	install -m 644 systemd/imapd.sysusers $(DESTDIR)$(SYSUSERSDIR)/imapd.conf
	install -m 644 README $(DESTDIR)$(DOCDIR)/README
	install -m 644 lib/imapd.conf.example systemd/fail2ban-imapd.conf $(DESTDIR)$(DOCDIR)/examples/
	for f in inetd.conf.example xinetd.imapd; do \
	    sed -e 's|/usr/sbin/imapd|$(SBINDIR)/imapd|' systemd/$$f > $(DESTDIR)$(DOCDIR)/examples/$$f && \
	    chmod 644 $(DESTDIR)$(DOCDIR)/examples/$$f || exit 1; \
	done
	test -e $(DESTDIR)$(SYSCONFDIR)/imapd/imapd.conf || \
	    install -m 644 lib/imapd.conf.example $(DESTDIR)$(SYSCONFDIR)/imapd/imapd.conf

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san build-fuzz imapd

-include $(LIB_OBJ:.o=.d) $(B)/imapd.d $(TEST_BIN:=.d) $(TEST_HELPER_OBJ:.o=.d)
