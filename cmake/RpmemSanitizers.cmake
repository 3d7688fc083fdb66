# SPDX-License-Identifier: BSD-3-Clause
if(RPMEM_SANITIZE_ADDRESS AND RPMEM_SANITIZE_THREAD)
	message(FATAL_ERROR "ASan and TSan cannot be combined: pick one")
endif()
if(RPMEM_SANITIZE_ADDRESS)
	add_compile_options(-fsanitize=address,undefined
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer)
	add_link_options(-fsanitize=address,undefined)
endif()
if(RPMEM_SANITIZE_THREAD)
	add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
	add_link_options(-fsanitize=thread)
endif()
