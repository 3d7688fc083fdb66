# SPDX-License-Identifier: BSD-3-Clause
# Warnings are errors on our own code (added per target, so the flags do not
# leak into checks that CMake compiles).
set(RPMEM_WARN_FLAGS -Wall -Wextra -Werror -Wshadow -Wpointer-arith
	-Wformat=2 -Wmissing-prototypes -Wstrict-prototypes -Wvla)

function(rpmem_warnings target)
	target_compile_options(${target} PRIVATE ${RPMEM_WARN_FLAGS})
endfunction()
