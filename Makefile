# voidshim: plain Makefile (doc/architecture.md: the rooms and what each links).
#   make                      libvoidbuilder.{a,so} and voidshim
#   make check                unit tests, integration tests, examples, the installed library's client
#   make check-client         make install into build/stage, build the README's example against it
#   make check-served         part of the integration suite with a voidshim serve running (doc/voidshim-serve.md)
#   make bench                benches/ (TSV + markdown in a fresh benches/results/run-DATE/)
#   make SANITIZE=address,undefined check
#   make lint | format-check
#   make install PREFIX=/usr/local DESTDIR=   (make uninstall with the same variables removes it)

CC       ?= gcc
PREFIX   ?= /usr/local
LIBDIR   ?= $(PREFIX)/lib
BINDIR   ?= $(PREFIX)/bin
INCDIR   ?= $(PREFIX)/include
MANDIR   ?= $(PREFIX)/share/man
DATADIR  ?= $(PREFIX)/share
PKG_CONFIG ?= pkg-config
B        := build

# The rooms (doc/architecture.md): each library links only what it uses.  The core builder and
# its helper processes need no JSON; the spec parser and the plan do.
CORE_PKGS  := libseccomp libcap libmnl
JSON_PKGS  := jansson
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) $(JSON_PKGS) 2>/dev/null)
CORE_LIBS  := $(shell $(PKG_CONFIG) --libs $(CORE_PKGS) 2>/dev/null || echo -lseccomp -lcap -lmnl)
JSON_LIBS  := $(shell $(PKG_CONFIG) --libs $(JSON_PKGS) 2>/dev/null || echo -ljansson)

WARN := -Wall -Wextra -Wno-unused-parameter \
        -Werror=shadow -Werror=missing-prototypes -Werror=strict-prototypes \
        -Werror=format=2 -Werror=format-security -Werror=implicit-function-declaration \
        -Werror=switch-default -Wformat=2
# CFLAGS is the user's (make CFLAGS=-O0 keeps everything below); what the build needs is in
# VB_CFLAGS and VB_CPPFLAGS, which a command line cannot drop.
CFLAGS   ?= -O2 -g
VB_CFLAGS   := -std=gnu11 -fPIC -fvisibility=hidden $(WARN)
VB_CPPFLAGS := -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -Iinclude $(PKG_CFLAGS)
ifneq ($(SANITIZE),)
VB_CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
VB_LDFLAGS := -fsanitize=$(SANITIZE)
endif
# The libraries see their own rooms ("core/void.h"); voidshim sees only include/ and shim/.
LIB_INC  := -iquote voidbuilder
SHIM_INC := -iquote shim
COMPILE   = $(CC) $(VB_CPPFLAGS) $(CPPFLAGS) $(VB_CFLAGS) $(CFLAGS) -MMD -MP

CORE_SRCS := $(sort $(wildcard voidbuilder/core/*.c voidbuilder/helpers/*.c))
SPEC_SRCS := $(sort $(wildcard voidbuilder/spec/*.c))
PLAN_SRCS := $(sort $(wildcard voidbuilder/plan/*.c))
OCI_SRCS  := $(sort $(wildcard voidbuilder/oci/*.c))
SHIM_SRCS := $(sort $(filter-out shim/main.c,$(wildcard shim/*.c shim/*/*.c)))
CORE_OBJS := $(CORE_SRCS:%.c=$(B)/%.o)
SPEC_OBJS := $(SPEC_SRCS:%.c=$(B)/%.o)
PLAN_OBJS := $(PLAN_SRCS:%.c=$(B)/%.o)
OCI_OBJS  := $(OCI_SRCS:%.c=$(B)/%.o)
SHIM_OBJS := $(SHIM_SRCS:%.c=$(B)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

SOVERSION := 0
LIBSO     := $(B)/libvoidbuilder.so.$(SOVERSION)
LIBA      := $(B)/libvoidbuilder.a
SPECA     := $(B)/libvoidspec.a
PLANA     := $(B)/libvoidplan.a
OCIA      := $(B)/libvoidoci.a
FRONT_AS  := $(OCIA) $(if $(PLAN_OBJS),$(PLANA)) $(SPECA)

all: voidshim voidshim-runc $(LIBA) $(LIBSO) $(SPECA) $(if $(PLAN_OBJS),$(PLANA)) $(OCIA) $(B)/voidbuilder.pc \
	$(B)/libvoidshim-app.a $(B)/tests/probe

ifeq ($(V),1)
Q :=
else
Q := @
endif

$(B)/voidbuilder/%.o: voidbuilder/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(COMPILE) $(LIB_INC) -c -o $@ $<

$(B)/shim/%.o: shim/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(COMPILE) $(SHIM_INC) -c -o $@ $<

# The default seccomp policy is compiled to BPF once, at build time, by a tool
# linked from the policy compiler alone (seccomp*.o, error.o) and the policy text.
$(B)/gen/default-policy.o: voidbuilder/core/seccomp_default.c
	@mkdir -p $(dir $@)
	$(COMPILE) $(LIB_INC) -DVB_NO_DEFAULT_BPF -c -o $@ $<

$(B)/tools/gen-default-bpf: tools/gen-default-bpf.c $(B)/voidbuilder/core/seccomp.o \
		$(B)/voidbuilder/core/seccomp_bpf.o $(B)/voidbuilder/core/error.o $(B)/gen/default-policy.o
	@mkdir -p $(dir $@)
	$(COMPILE) $(LIB_INC) $(VB_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CORE_LIBS)

$(B)/gen/default-bpf.inc: $(B)/tools/gen-default-bpf
	@mkdir -p $(dir $@)
	$< > $@.tmp && mv $@.tmp $@

$(B)/voidbuilder/core/seccomp_default.o: VB_CPPFLAGS += -I$(B)/gen
$(B)/voidbuilder/core/seccomp_default.o: $(B)/gen/default-bpf.inc

$(LIBA): $(CORE_OBJS)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)ar rcs $@ $^

# Internal symbols stay visible in the .a, which the unit tests link
# (crun's libcrun_testing.la); the .so exports only VB_API through the map.
$(LIBSO): $(CORE_OBJS) voidbuilder/core/voidbuilder.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,-soname,libvoidbuilder.so.$(SOVERSION) -Wl,--no-undefined \
		-Wl,--version-script=voidbuilder/core/voidbuilder.map $(VB_LDFLAGS) $(LDFLAGS) -o $@ $(CORE_OBJS) $(CORE_LIBS)
	ln -sf libvoidbuilder.so.$(SOVERSION) $(B)/libvoidbuilder.so

# libvoidspec: the spec parser, a library of its own (include/voidbuilder/spec.h); it uses jansson.
$(SPECA): $(SPEC_OBJS)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)ar rcs $@ $^

# libvoidplan: every front end's request as one plan, and the one applier (include/voidbuilder/plan.h).
$(PLANA): $(PLAN_OBJS)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)ar rcs $@ $^

# libvoidoci: an OCI bundle's config.json as a plan, and the runtime's state (include/voidbuilder/oci.h).
$(OCIA): $(OCI_OBJS)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)ar rcs $@ $^

# voidshim links libseccomp, libcap and jansson statically when their archives exist: resolving
# them at every start cost 0.16-0.23 ms of a ~3.5 ms void (benches/).  Debian ships no libmnl.a.
STATIC_OK := $(foreach l,seccomp cap jansson,$(if $(wildcard /usr/lib/$(shell $(CC) -dumpmachine)/lib$(l).a),$(l)))
comma     := ,
SHIM_LINK := $(if $(STATIC_OK),-Wl$(comma)-Bstatic $(addprefix -l,$(STATIC_OK)) -Wl$(comma)-Bdynamic) \
             $(filter-out $(addprefix -l,$(STATIC_OK)),$(CORE_LIBS) $(JSON_LIBS))

voidshim: $(B)/shim/main.o $(SHIM_OBJS) $(FRONT_AS) $(LIBA)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(VB_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SHIM_LINK)

# The OCI runtime under a runc-like name (argv[0]), for tools that take "a runc binary" (doc/oci.md).
voidshim-runc: voidshim
	ln -sf voidshim $@

$(B)/voidbuilder.pc: voidbuilder/core/voidbuilder.pc.in Makefile
	@mkdir -p $(B)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCDIR@|$(INCDIR)|g' \
		-e 's|@VERSION@|$(shell sed -n 's/^#define VB_VERSION "\(.*\)"/\1/p' include/voidbuilder.h)|g' $< > $@

# ---- tests ------------------------------------------------------------------
# Each tests/unit/test_X.c may look inside every room (its internals are what it tests) and links
# the shim's objects and all the static libraries; a test may add linker flags (e.g.
# -Wl,--wrap=mount) in tests/unit/test_X.ldflags.
$(B)/tests/%: tests/unit/%.c $(SHIM_OBJS) $(FRONT_AS) $(LIBA)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(COMPILE) $(LIB_INC) $(SHIM_INC) $(VB_LDFLAGS) $(LDFLAGS) -o $@ $< $(SHIM_OBJS) $(FRONT_AS) $(LIBA) \
		$(shell cat tests/unit/$*.ldflags 2>/dev/null) $(CORE_LIBS) $(JSON_LIBS) -lcmocka

# The probe runs inside voids with an empty root, so it is static and never sanitized.
$(B)/tests/probe: $(wildcard tests/helpers/probe*.c tests/helpers/probe.h)
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -O2 -Wall -Wextra -static -o $@ $(filter %.c,$^)

# ---- application specs (voidshim check / exec / explain) ------------------------
# libvoidshim-app: the helper for programs that voidshim exec runs (include/voidshim/app.h).
$(B)/app/app.o: app/app.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(COMPILE) -c -o $@ $<

$(B)/libvoidshim-app.a: $(B)/app/app.o
	@rm -f $@
	ar rcs $@ $^

# Test applications run inside voids: static like the probe, and never sanitized.
$(B)/tests/apps/%: tests/apps/%.c app/app.c include/voidshim/app.h
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -O2 -Wall -Wextra -Wno-unused-parameter -Iinclude -static -o $@ $< app/app.c

# Every shipped spec and profile must pass `voidshim check` (a profile: load with run --explain) and
# the JSON Schema, so none can go stale.
check-spec: voidshim
	./voidshim check specs/*.json
	for p in specs/profiles/*.json; do ./voidshim run --profile $$p --explain -- /bin/true >/dev/null || exit 1; done
	python3 -c 'import json, sys, jsonschema; v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))); \
		[v.validate(json.load(open(f))) for f in sys.argv[2:]]; print("schema: %d specs valid" % len(sys.argv[2:]))' \
		specs/schema/voidshim-spec.schema.json specs/*.json tests/fixtures/specs/valid/*.json
	python3 -c 'import json, sys, jsonschema; v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))); \
		[v.validate(json.load(open(f))) for f in sys.argv[2:]]; print("schema: %d profiles valid" % len(sys.argv[2:]))' \
		specs/schema/voidshim-profile.schema.json specs/profiles/*.json

# libFuzzer target for the spec parser (clang; Debian's libclang-rt-14-dev has the runtime).
FUZZ_CC   ?= clang
FUZZ_TIME ?= 30
FUZZ_SRCS := $(SPEC_SRCS)
# The parser is instrumented; what it calls in the core library (vb_net_allow_parse, vb_server_refusal,
# vb_parse_size) comes uninstrumented from the archive.
$(B)/fuzz/fuzz_spec: tests/fuzz/fuzz_spec.c $(FUZZ_SRCS) $(LIBA) $(wildcard voidbuilder/spec/*.h include/voidbuilder/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE \
		-Iinclude -iquote voidbuilder $(PKG_CFLAGS) -o $@ $< $(FUZZ_SRCS) $(LIBA) $(CORE_LIBS) $(JSON_LIBS)

fuzz: $(B)/fuzz/fuzz_spec
	@mkdir -p $(B)/fuzz/corpus
	$< -max_total_time=$(FUZZ_TIME) -max_len=16384 -timeout=10 $(B)/fuzz/corpus tests/fixtures/specs/invalid \
		tests/fixtures/specs/valid specs

check-unit: $(UNIT_BINS) $(B)/tests/probe
	@fail=0; for t in $(UNIT_BINS); do \
		echo "# $$t"; CMOCKA_MESSAGE_OUTPUT=TAP $$t || fail=1; done; exit $$fail

check-integration: voidshim $(B)/tests/probe $(B)/tests/apps/spec_app $(B)/tests/apps/srv_probe \
		$(B)/tests/apps/auth_term
	tests/integration/run.sh

# A client of the installed library: `make install` into $(B)/stage, then the README's C example
# built with pkg-config against it, linked to the staged .so and run leak-checked (tests/client/).
STAGE := $(abspath $(B))/stage
check-client: all
	rm -rf $(STAGE)
	$(MAKE) --no-print-directory install DESTDIR=$(STAGE) PREFIX=/usr >/dev/null
	CC="$(CC)" tests/client/check-client.sh $(STAGE) README.md $(B)/client $(or $(SANITIZE),address)

# A part of the integration suite again, with a `voidshim serve` started first in each file (lib.sh): a served
# run must give what a cold one gives (doc/voidshim-serve.md).
SERVED_TESTS ?= isolation fds grants denied badinput lifecycle
check-served: voidshim $(B)/tests/probe $(B)/tests/apps/spec_app $(B)/tests/apps/srv_probe $(B)/tests/apps/auth_term
	VOIDSHIM_TEST_SERVED=1 TESTS="$(SERVED_TESTS)" tests/integration/run.sh

check: check-unit check-spec check-client check-install check-integration check-served

bench: voidshim $(B)/tests/probe
	$(MAKE) -C benches run

ALL_SRCS := $(CORE_SRCS) $(SPEC_SRCS) $(PLAN_SRCS) $(OCI_SRCS) $(SHIM_SRCS) shim/main.c
lint:
	@mkdir -p $(B)
	bear --output $(B)/compile_commands.json -- $(MAKE) -B all
	clang-tidy -p $(B) --quiet $(ALL_SRCS)
	cppcheck --enable=warning,portability --error-exitcode=1 --inline-suppr -q \
		-D_GNU_SOURCE -Iinclude -Ivoidbuilder -Ishim $(ALL_SRCS)

format-check:
	clang-format --dry-run -Werror $(ALL_SRCS) $(wildcard voidbuilder/*/*.h shim/*.h shim/*/*.h include/*.h include/*/*.h)

# Installs what a user and a client of the library need; the examples are not installed (nor needed).
# Specs that name files of the build tree (../build/examples/...) are not installed either.
INSTALL_SPECS := $(shell grep -L '"\.\./' specs/*.json)
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
VSDATADIR     := $(DATADIR)/voidshim
install: voidshim $(LIBA) $(LIBSO) $(B)/libvoidshim-app.a
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/voidbuilder \
		$(DESTDIR)$(INCDIR)/voidshim $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(VSDATADIR)/profiles $(DESTDIR)$(VSDATADIR)/specs $(DESTDIR)$(VSDATADIR)/seccomp \
		$(DESTDIR)$(VSDATADIR)/schema $(DESTDIR)$(COMPLETIONDIR)
	install -m 0755 voidshim $(DESTDIR)$(BINDIR)/voidshim
	ln -sf voidshim $(DESTDIR)$(BINDIR)/voidshim-runc
	install -m 0644 $(LIBA) $(B)/libvoidshim-app.a $(DESTDIR)$(LIBDIR)/
	install -m 0755 $(LIBSO) $(DESTDIR)$(LIBDIR)/
	ln -sf libvoidbuilder.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libvoidbuilder.so
	install -m 0644 include/voidbuilder.h $(DESTDIR)$(INCDIR)/
	install -m 0644 include/voidbuilder/cleanup.h include/voidbuilder/helpers.h include/voidbuilder/container.h $(DESTDIR)$(INCDIR)/voidbuilder/
	install -m 0644 include/voidshim/app.h $(DESTDIR)$(INCDIR)/voidshim/
	$(MAKE) --no-print-directory -B $(B)/voidbuilder.pc PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) INCDIR=$(INCDIR)
	install -m 0644 $(B)/voidbuilder.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 0644 doc/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 doc/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 specs/profiles/*.json $(DESTDIR)$(VSDATADIR)/profiles/
	install -m 0644 $(INSTALL_SPECS) $(DESTDIR)$(VSDATADIR)/specs/
	install -m 0644 specs/seccomp/*.policy $(DESTDIR)$(VSDATADIR)/seccomp/
	install -m 0644 specs/schema/*.json $(DESTDIR)$(VSDATADIR)/schema/
	sed 's|@DATADIR@|$(DATADIR)|g' contrib/voidshim.bash-completion > $(DESTDIR)$(COMPLETIONDIR)/voidshim
	chmod 0644 $(DESTDIR)$(COMPLETIONDIR)/voidshim
	@# The loader's cache knows the new library when LIBDIR is one of its directories (not in a staged DESTDIR).
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
		echo "ldconfig"; ldconfig; fi
	install -m 0755 tools/reserve-ids.sh $(DESTDIR)$(VSDATADIR)/reserve-ids.sh
	@# Root's voids run as ids of their own, reserved here (doc/servers.md, "auth"); a package
	@# build (DESTDIR) leaves it to the package's postinst: $(VSDATADIR)/reserve-ids.sh.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then sh tools/reserve-ids.sh; \
	else echo "note: run $(VSDATADIR)/reserve-ids.sh as root to reserve the ids of root's voids"; fi

# Removes what install put there, and the directories it made when they are left empty.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/voidshim $(DESTDIR)$(BINDIR)/voidshim-runc $(DESTDIR)$(LIBDIR)/libvoidbuilder.a $(DESTDIR)$(LIBDIR)/libvoidshim-app.a \
		$(DESTDIR)$(LIBDIR)/libvoidbuilder.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libvoidbuilder.so \
		$(DESTDIR)$(LIBDIR)/pkgconfig/voidbuilder.pc $(DESTDIR)$(INCDIR)/voidbuilder.h \
		$(DESTDIR)$(INCDIR)/voidbuilder/cleanup.h $(DESTDIR)$(INCDIR)/voidbuilder/helpers.h \
		$(DESTDIR)$(INCDIR)/voidbuilder/container.h $(DESTDIR)$(INCDIR)/voidshim/app.h \
		$(DESTDIR)$(COMPLETIONDIR)/voidshim
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard doc/*.1))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(wildcard doc/*.5)))
	rm -rf $(DESTDIR)$(VSDATADIR)
	-rmdir $(DESTDIR)$(INCDIR)/voidbuilder $(DESTDIR)$(INCDIR)/voidshim 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
		echo "ldconfig"; ldconfig; fi

# make install into a fresh PREFIX, use what it installed (the binary finds its profiles there, every man
# page renders without a warning, the completion completes), then make uninstall leaves no file behind.
check-install: all
	tests/install/check-install.sh "$(MAKE)"

clean:
	rm -rf $(B) voidshim voidshim-runc

# ---- examples (doc/examples/): applications under their specs -------------------
# Static, like the probe: their voids hold no libraries ("exec": "denied"), and they are never
# sanitized.  Copies go to $(B)/tests/apps/, which tests/integration/run.sh stages for the tests.
EX_CFLAGS := -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
             -Werror=format-security -Iinclude -static
EXAMPLES  := $(B)/examples/gzip/vgzip $(B)/examples/tls-server/tls-server $(B)/examples/tls-server/cert.pem
EX_STAGED := $(B)/tests/apps/vgzip $(B)/tests/apps/hostile $(B)/tests/apps/tls-server

$(B)/examples/gzip/vgzip: examples/gzip/vgzip.c app/app.c include/voidshim/app.h
	@mkdir -p $(dir $@)
	$(CC) $(EX_CFLAGS) -o $@ $< app/app.c -lz

# OpenSSL linked statically.  The linker's warnings about dlopen/getaddrinfo in static programs do
# not apply: the server resolves no names and loads no engines or providers.
$(B)/examples/tls-server/tls-server: examples/tls-server/tls-server.c app/app.c include/voidshim/app.h
	@mkdir -p $(dir $@)
	$(CC) $(EX_CFLAGS) -o $@ $< app/app.c -lssl -lcrypto -lz -ldl -pthread

# A self-signed ECDSA P-256 certificate for localhost, so that specs/tls-server.json runs as shipped.
$(B)/examples/tls-server/cert.pem:
	@mkdir -p $(dir $@)
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=localhost \
		-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout $(dir $@)key.pem -out $@ 2>/dev/null
	chmod 600 $(dir $@)key.pem

$(B)/tests/apps/tls-server: $(B)/examples/tls-server/tls-server
	@mkdir -p $(dir $@)
	cp $< $@
$(B)/tests/apps/vgzip: $(B)/examples/gzip/vgzip
	@mkdir -p $(dir $@)
	cp $< $@

examples: $(EXAMPLES) $(EX_STAGED)
all: examples
check-spec: examples
check-integration: examples

.PHONY: examples
.PHONY: all check check-unit check-spec check-client check-integration check-install check-served fuzz bench lint \
	format-check install uninstall clean
-include $(wildcard $(CORE_OBJS:.o=.d) $(SPEC_OBJS:.o=.d) $(PLAN_OBJS:.o=.d) $(OCI_OBJS:.o=.d) $(SHIM_OBJS:.o=.d) $(B)/shim/main.d $(B)/app/app.d)
