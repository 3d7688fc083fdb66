# SPDX-License-Identifier: BSD-3-Clause
# RDMA tests: built on the host, run inside tools/rxe-vm (Soft-RoCE).
# Included by test/rdma/CMakeLists.txt.

# the rig itself: raw verbs + rdma_cm, no librpmem
add_executable(rig_selftest ${CMAKE_CURRENT_LIST_DIR}/rig_selftest.c)
target_link_libraries(rig_selftest PRIVATE
	PkgConfig::IBVERBS PkgConfig::RDMACM Threads::Threads)
rpmem_warnings(rig_selftest)

# rpmem_dp_* against rpmemd_rdma_* in one process, no ssh/control path
add_executable(dp_test ${CMAKE_CURRENT_LIST_DIR}/dp_test.c
	${CMAKE_CURRENT_LIST_DIR}/tap.c)
target_link_libraries(dp_test PRIVATE rpmem_client_static rpmemd_core
	rpmem_common)
rpmem_warnings(dp_test)
