#!/usr/bin/env bash
# Prints a variable of PETSc's own build configuration (lib/petsc/conf/petscvariables), as
# PETSc's makefiles see it, e.g. PETSC_CC_INCLUDES or PETSC_WITH_EXTERNAL_LIB (the full link
# line, with the external libraries a static PETSc needs). Used by the Makefile when
# PETSC_DIR (and PETSC_ARCH, for a build tree) are set.
#
# usage: PETSC_DIR=... [PETSC_ARCH=...] scripts/petsc-var.sh VARIABLE
set -u
[ $# -eq 1 ] || { echo "usage: PETSC_DIR=... [PETSC_ARCH=...] $0 VARIABLE" >&2; exit 2; }
[ -n "${PETSC_DIR:-}" ] || { echo "petsc-var.sh: PETSC_DIR is not set" >&2; exit 2; }
vars=
for f in "$PETSC_DIR/${PETSC_ARCH:-}/lib/petsc/conf/petscvariables" "$PETSC_DIR/lib/petsc/conf/petscvariables"; do
    [ -r "$f" ] && { vars=$f; break; }
done
[ -n "$vars" ] || { echo "petsc-var.sh: no lib/petsc/conf/petscvariables under PETSC_DIR=$PETSC_DIR PETSC_ARCH=${PETSC_ARCH:-} (is this a PETSc install or build tree?)" >&2; exit 2; }
# A throwaway makefile expands the variable the way PETSc's own rules would.
unset MAKEFLAGS MFLAGS MAKELEVEL
printf 'include %s\nstratsim-show:\n\t@echo $(%s)\n' "$vars" "$1" | make --no-print-directory -s -f - stratsim-show
