# restpipe: build, test, install.  See README.md.

VERSION	= 0.1.0
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions

CC	?= cc
AR	?= ar
CFLAGS	?= -O2 -g
PKG_CONFIG ?= pkg-config
CURL_CFLAGS != $(PKG_CONFIG) --cflags libcurl 2>/dev/null || true
CURL_LIBS   != $(PKG_CONFIG) --libs libcurl 2>/dev/null || echo -lcurl

# SANITIZE=1 builds into san/ with AddressSanitizer and UBSan, so the two
# builds never mix objects.
ifeq ($(REWORD),1)
# REWORD=1 builds into reword/ programs that say every message otherwise
# (lib/base/diag.c), for the suite to prove that none reads another's.
O	= reword
override CFLAGS += -DRESTPIPE_REWORD
else ifeq ($(SANITIZE),1)
O	= san
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
override LDFLAGS += -fsanitize=address,undefined
else
O	= .
endif

override CFLAGS += -std=c17 -Wall -Wextra -Wpedantic -D_DEFAULT_SOURCE \
	-DVERSION='"$(VERSION)"' -Ilib $(CURL_CFLAGS) -MMD -MP

PROGS	:= $(sort $(patsubst %/,%,$(dir $(wildcard \
	fetch/*.c paginate/*.c select/*.c merge/*.c sync/*.c))))
BINS	:= $(PROGS:%=$(O)/bin/rest-%)
LIBSRC	:= $(wildcard lib/*/*.c)

# lib/ builds two archives: the request code over libcurl (NETSRC), which
# only the programs that make requests (NETPROGS) link, with libcurl; and
# the rest, which every program links.
NETSRC	:= lib/net/http.c lib/net/http_retry.c lib/net/oauth.c lib/dlt/reqopt.c
NETPROGS := fetch paginate
LIBOBJ	:= $(filter-out $(NETSRC:%.c=$(O)/obj/%.o),$(LIBSRC:%.c=$(O)/obj/%.o))
NETOBJ	:= $(NETSRC:%.c=$(O)/obj/%.o)
LIBA	:= $(O)/obj/librestpipe.a
NETA	:= $(O)/obj/librestpipe-net.a
MANS	:= $(wildcard man/*.[1-9])
# The programs written in sh: make puts the version in as it copies them.
SCRIPTS	:= $(O)/bin/rest-shard-range
# Every program installed, by name: the completions cover each.
NAMES	:= $(PROGS:%=rest-%) $(SCRIPTS:$(O)/bin/%=%)

# rest-merge's files less its main, for the unit tests and the fuzzer.
MERGE_LIB := $(filter-out merge/merge.c,$(wildcard merge/*.c))
MERGEOBJ := $(MERGE_LIB:%.c=$(O)/obj/%.o)
# rest-sync's rules of a run's state, for their unit test.
SYNCOBJ	:= $(O)/obj/sync/state.o

# The C unit tests: each tests/unit/*.c is a program of table checks.
UNITOBJ	:= $(patsubst %.c,$(O)/obj/%.o,$(wildcard tests/unit/*.c))
UNITS	:= $(UNITOBJ:.o=)

all: $(BINS) $(SCRIPTS)

# On a fresh machine, say what to run instead of the compiler's "No such
# file or directory": once, before any object is compiled.
HEADERS	:= curl/curl.h jsmn.h
headers:
	@for h in $(HEADERS); do \
		printf '#include <%s>\n' $$h | \
		$(CC) $(CURL_CFLAGS) $(CPPFLAGS) -E -x c - >/dev/null 2>&1 || { \
		echo "make: <$$h> is missing: run 'make deps'" \
		    "(apt-get install libcurl4-openssl-dev libjsmn-dev)" >&2; \
		exit 1; }; \
	done

$(O)/obj/%.o: %.c | headers
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/bin/rest-shard-range: shard/shard-range.sh Makefile
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(VERSION)/' shard/shard-range.sh >$@.tmp
	chmod 0755 $@.tmp
	mv $@.tmp $@

$(LIBA): $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(NETA): $(NETOBJ)
	@rm -f $@
	$(AR) rcs $@ $(NETOBJ)

progobjs = $(patsubst %.c,$(O)/obj/%.o,$(wildcard $(1)/*.c))
progarchives = $(if $(filter $(1),$(NETPROGS)),$(NETA)) $(LIBA)
proglibs = $(if $(filter $(1),$(NETPROGS)),$(CURL_LIBS)) -lm

# Keep the programs' objects: they are not intermediate files to delete.
.SECONDARY:

.SECONDEXPANSION:
$(O)/bin/rest-%: $$(call progobjs,$$*) $$(call progarchives,$$*)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(call progarchives,$*) \
		$(call proglibs,$*) $(LDLIBS)

-include $(LIBOBJ:.o=.d) $(NETOBJ:.o=.d) $(wildcard $(O)/obj/*/*.d) \
	$(wildcard $(O)/obj/tests/unit/*.d)

$(UNITOBJ): override CFLAGS += -Imerge -Isync

$(UNITS): %: %.o $(MERGEOBJ) $(SYNCOBJ) $(NETA) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $< $(MERGEOBJ) $(SYNCOBJ) $(NETA) $(LIBA) \
		$(CURL_LIBS) -lm \
		$(LDLIBS)

# Install what the build and the tests need, only when something is missing.
deps:
	@sh tests/deps.sh

# The unit tests run first; the bats suite's summary, which CI reads,
# comes last, and check fails if either failed.
check: deps all $(UNITS)
	@sh tests/unit/run.sh $(UNITS); unit=$$?; \
	PATH="$(CURDIR)/$(O)/bin:$$PATH" bash tests/run.sh && [ $$unit -eq 0 ]

# The tests of rest-sync again, with programs that reword every message
# (REWORD=1): rest-sync must learn what they did from their reports alone.
check-reword: deps
	@$(MAKE) --no-print-directory REWORD=1 all
	@RESTPIPE_REWORD=1 PATH="$(CURDIR)/reword/bin:$$PATH" bash tests/run.sh \
		tests/sync.bats && \
	RESTPIPE_REWORD=1 PATH="$(CURDIR)/reword/bin:$$PATH" bash tests/run.sh \
		-f rest-sync tests/children.bats tests/incremental.bats

unit: $(UNITS)
	@sh tests/unit/run.sh $(UNITS)

lint:
	mandoc -Tlint -Wwarning $(MANS)
	@sh tests/lint.sh

# Commit messages of restpipe's kind (tests/commit-msg.sh): the hook
# checks each commit as it is made; check-commits, every commit since
# .ci/history-base (CI runs it).
hooks:
	git config core.hooksPath .githooks

check-commits:
	@sh tests/commits.sh

demo: deps all
	@sh tests/demo.sh $(O)/bin

valgrind: deps all
	@sh tests/valgrind.sh $(O)/bin

soak: deps all
	@sh tests/soak.sh $(O)/bin

bench: deps all
	@sh tests/bench.sh $(O)/bin

# Each mutation of tests/mutants/list must make the suite fail; M=TEXT
# runs only those whose file or reason holds TEXT.
mutants: deps
	@python3 tests/mutants.py $(if $(M),-k '$(M)')

# libFuzzer harnesses over the library, built with clang.
FUZZ_SECONDS ?= 60
FUZZ_CC	?= clang
FUZZERS	:= $(patsubst tests/fuzz/%.c,fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -std=c17 \
	-D_DEFAULT_SOURCE -DVERSION='"$(VERSION)"' -Ilib $(CURL_CFLAGS)

fuzz/%: tests/fuzz/%.c $(LIBSRC) $(wildcard lib/*/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(LIBSRC) $(CURL_LIBS) -lm

# The merge harness also needs rest-merge's files, less its main.
fuzz/fuzz_merge: tests/fuzz/fuzz_merge.c $(LIBSRC) $(MERGE_LIB) \
		$(wildcard lib/*/*.h merge/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Imerge -o $@ $< $(LIBSRC) $(MERGE_LIB) \
		$(CURL_LIBS) -lm

fuzz: $(FUZZERS)
	sh tests/fuzz/run.sh $(FUZZ_SECONDS) fuzz

# The bash completion is one file, found by bash-completion under each
# program's name; the zsh one is one autoloaded function.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(BINS) $(SCRIPTS) $(DESTDIR)$(BINDIR)
	for m in $(MANS); do \
		s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s; \
	done
	install -m 0644 completions/restpipe.bash \
		$(DESTDIR)$(BASHCOMPDIR)/restpipe
	for p in $(NAMES); do \
		ln -sf restpipe $(DESTDIR)$(BASHCOMPDIR)/$$p; \
	done
	install -m 0644 completions/_restpipe $(DESTDIR)$(ZSHCOMPDIR)/_restpipe

uninstall:
	rm -f $(NAMES:%=$(DESTDIR)$(BINDIR)/%)
	for m in $(MANS); do \
		rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; \
	done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/restpipe \
		$(NAMES:%=$(DESTDIR)$(BASHCOMPDIR)/%) \
		$(DESTDIR)$(ZSHCOMPDIR)/_restpipe

clean:
	rm -rf bin obj san reword out fuzz

.PHONY: all bench check check-commits check-reword clean deps demo fuzz \
	headers hooks install lint \
	mutants soak \
	uninstall unit valgrind
