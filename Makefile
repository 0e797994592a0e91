# SPDX-License-Identifier: GPL-2.0
#
# Build kitt.ko out of tree.
#
#   make                    for the running kernel, or the newest installed headers
#   make KVER=6.1.0-56-amd64
#   make KDIR=/path/to/kernel/build
#   make all-kernels        for every kernel under /lib/modules that has headers
#   make check              W=1 + sparse (C=2) on every kernel; fails on a warning
#   make unit               user-space unit tests of the pure protocol code
#   make install            install for KVER (default: running kernel) and depmod
#   make test               every test (host and guest); see README

SRCDIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# Kernels with headers installed, newest last.
KERNELS := $(shell for d in /lib/modules/*/build; do \
		[ -f "$$d/Makefile" ] && basename "$$(dirname "$$d")"; \
	done 2>/dev/null | sort -V)

ifeq ($(KDIR),)
  ifeq ($(KVER),)
    KVER := $(shell uname -r)
    ifeq ($(wildcard /lib/modules/$(KVER)/build/Makefile),)
      KVER := $(lastword $(KERNELS))
    endif
  endif
  KDIR := /lib/modules/$(KVER)/build
else
  KVER ?= $(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null)
endif

# Each kernel gets its own object tree so builds for several kernels coexist.
OBJ := $(SRCDIR)/build/$(KVER)
KBUILD_ARGS := -C $(KDIR) M=$(OBJ) W=1

.PHONY: all modules all-kernels check checkpatch unit install test clean

all: modules

$(OBJ)/.tree:
	@mkdir -p $(OBJ)
	@ln -sfn $(SRCDIR)/Kbuild $(OBJ)/Kbuild
	@ln -sfn $(SRCDIR)/drivers $(OBJ)/drivers
	@ln -sfn $(SRCDIR)/include $(OBJ)/include
	@touch $@

modules: $(OBJ)/.tree
	@[ -f "$(KDIR)/Makefile" ] || { echo "kitt: no kernel headers at $(KDIR) (run tools/setup.sh)" >&2; exit 1; }
	$(MAKE) $(KBUILD_ARGS) modules

all-kernels:
	@[ -n "$(KERNELS)" ] || { echo "kitt: no kernel headers installed" >&2; exit 1; }
	@set -e; for k in $(KERNELS); do $(MAKE) -f $(SRCDIR)/Makefile KVER=$$k modules; done

# W=1 and sparse on every installed kernel; any warning fails.
check:
	@set -e; for k in $(KERNELS); do \
		rm -rf $(SRCDIR)/build/$$k; \
		$(MAKE) -f $(SRCDIR)/Makefile KVER=$$k modules C=2 2>&1 | tee $(SRCDIR)/build/check-$$k.log; \
		if grep -E 'warning:|error:' $(SRCDIR)/build/check-$$k.log; then \
			echo "kitt: warnings building for $$k" >&2; exit 1; fi; \
	done

unit:
	$(MAKE) -C $(SRCDIR)/tools/testing/unit

# checkpatch --strict, with the per-file exceptions in tools/checkpatch-exceptions.
checkpatch:
	$(SRCDIR)/tools/checkpatch.sh

install: modules
	$(MAKE) $(KBUILD_ARGS) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)

test:
	$(SRCDIR)/tools/run-tests

clean:
	rm -rf $(SRCDIR)/build
	$(MAKE) -C $(SRCDIR)/tools/testing/unit clean
