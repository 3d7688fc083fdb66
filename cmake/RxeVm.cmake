# SPDX-License-Identifier: BSD-3-Clause
#
# RxeVm.cmake -- run tests labelled "rdma" inside the Soft-RoCE VM of
# tools/rxe-vm: one VM boot per ctest invocation (a fixture), one ctest test
# per program, so results are reported per test.
#
#   rpmem_add_rdma_test(NAME name [TIMEOUT seconds] [EXPECT_OUTPUT regex
#                       [EXIT_ZERO]] COMMAND program args...)
#
# EXPECT_OUTPUT: the test passes only when the output matches (for tests
# that must detect a deliberate fault, the exit status is then ignored;
# with EXIT_ZERO the command must also exit 0, cmake/exit-status says how).
#
# The command runs as root in the VM, in the build directory, with the
# variables tools/rxe-vm passes (RPMEM_*, PMEM_*, ...) plus
# RPMEM_TEST_{TARGET,INITIATOR}_{ADDR,DEV} describing the two rxe devices.

set(RPMEM_RXE_VM ${PROJECT_SOURCE_DIR}/tools/rxe-vm)
set(RPMEM_RXE_VM_DIR ${CMAKE_BINARY_DIR}/rxe-vm CACHE PATH
	"state and kernel cache of the Soft-RoCE VM used by the rdma tests")

# an emulated NVDIMM (device DAX in the guest) for the tests that need real
# persistent memory; costs a few seconds of boot; 0: none (they skip)
set(RPMEM_RXE_VM_NVDIMM 256 CACHE STRING
	"MiB of emulated NVDIMM in the rdma test VM (0: none)")

add_test(NAME rdma.vm_start
	COMMAND env RXE_VM_DIR=${RPMEM_RXE_VM_DIR}
		RXE_VM_NVDIMM=${RPMEM_RXE_VM_NVDIMM}
		${RPMEM_RXE_VM} start --replace)
add_test(NAME rdma.vm_stop
	COMMAND env RXE_VM_DIR=${RPMEM_RXE_VM_DIR} ${RPMEM_RXE_VM} stop)
# the first start downloads the kernel package and builds the initramfs
set_tests_properties(rdma.vm_start PROPERTIES FIXTURES_SETUP rxe_vm
	LABELS rdma TIMEOUT 900 RESOURCE_LOCK rxe_vm)
set_tests_properties(rdma.vm_stop PROPERTIES FIXTURES_CLEANUP rxe_vm
	LABELS rdma TIMEOUT 120 RESOURCE_LOCK rxe_vm)

function(rpmem_add_rdma_test)
	cmake_parse_arguments(T "EXIT_ZERO" "NAME;TIMEOUT;EXPECT_OUTPUT"
		"COMMAND" ${ARGN})
	if(NOT T_NAME OR NOT T_COMMAND)
		message(FATAL_ERROR "rpmem_add_rdma_test: NAME and COMMAND are required")
	endif()
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 300)
	endif()
	math(EXPR ctest_timeout "${T_TIMEOUT} + 60")
	set(wrap)
	set(pass "${T_EXPECT_OUTPUT}")
	if(T_EXPECT_OUTPUT AND T_EXIT_ZERO)
		set(wrap ${PROJECT_SOURCE_DIR}/cmake/exit-status)
		set(pass "${T_EXPECT_OUTPUT}.*exit status 0")
	endif()
	add_test(NAME rdma.${T_NAME}
		COMMAND env RXE_VM_DIR=${RPMEM_RXE_VM_DIR} ${RPMEM_RXE_VM}
			exec --timeout ${T_TIMEOUT} -- ${wrap} ${T_COMMAND}
		WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
	# RESOURCE_LOCK: the VM has two vCPUs; tests running side by side
	# would measure each other and fight over ports
	set_tests_properties(rdma.${T_NAME} PROPERTIES
		FIXTURES_REQUIRED rxe_vm RESOURCE_LOCK rxe_vm
		LABELS rdma TIMEOUT ${ctest_timeout})
	if(T_EXPECT_OUTPUT)
		set_tests_properties(rdma.${T_NAME} PROPERTIES
			PASS_REGULAR_EXPRESSION "${pass}")
	endif()
endfunction()
