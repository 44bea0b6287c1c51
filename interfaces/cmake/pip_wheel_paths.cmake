# Building a ROS interface package against the PyPI ROS wheels (pip, scikit-build-core).
#
# Several wheels ship CMake export files for their Python type support whose imported targets name
# the include directories of the machine that built the wheels (/opt/python/cpXY-cpXY/...). CMake
# refuses such targets at generate time ("Imported target ... includes non-existent path"). This file
# points those targets at this interpreter's Python and numpy include directories instead, at the end
# of configuration (when every find_package has run), without touching the installed wheels.
#
# Include it right after project() and only when building for pip, so a colcon build in a ROS
# distribution stays an ordinary ament package:
#
#   if(SKBUILD)
#     include("${CMAKE_CURRENT_SOURCE_DIR}/../cmake/pip_wheel_paths.cmake")
#     bt_interfaces_prepare_pip_build()
#   endif()

include_guard(GLOBAL)

# The wheels' prefix is found from where ament_package is installed (<prefix>/lib/pythonX.Y/site-packages),
# so this works in pip's isolated build environment and with --no-build-isolation alike. scikit-build-core
# sets Python_EXECUTABLE; without it, the first python3 on PATH is used.
macro(bt_interfaces_prepare_pip_build)
  if(DEFINED Python_EXECUTABLE AND NOT "${Python_EXECUTABLE}" STREQUAL "")
    set(_bt_python "${Python_EXECUTABLE}")
  elseif(DEFINED Python3_EXECUTABLE AND NOT "${Python3_EXECUTABLE}" STREQUAL "")
    set(_bt_python "${Python3_EXECUTABLE}")
  else()
    find_program(_bt_python NAMES python3 python REQUIRED)
  endif()
  # rosidl's CMake finds Python3 itself; make it find the same interpreter.
  set(Python3_EXECUTABLE "${_bt_python}" CACHE FILEPATH "Python used by rosidl" FORCE)
  execute_process(
    COMMAND "${_bt_python}" -c
      "import pathlib, sysconfig, ament_package, numpy; print(pathlib.Path(ament_package.__file__).resolve().parents[4]); print(sysconfig.get_paths()['include']); print(numpy.get_include())"
    OUTPUT_VARIABLE _bt_out
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _bt_rc)
  if(NOT _bt_rc EQUAL 0)
    message(FATAL_ERROR "bt interfaces: ${_bt_python} cannot import ament_package and numpy: "
      "install the ROS build wheels first (see interfaces/README.md)")
  endif()
  string(REPLACE "\n" ";" _bt_out "${_bt_out}")
  list(GET _bt_out 0 BT_WHEELS_PREFIX)
  list(GET _bt_out 1 BT_PYTHON_INCLUDE_DIR)
  list(GET _bt_out 2 BT_NUMPY_INCLUDE_DIR)
  # The wheels' CMake configs live under <prefix>/share; rosidl's generators find packages by the ament index.
  list(PREPEND CMAKE_PREFIX_PATH "${BT_WHEELS_PREFIX}")
  if(NOT "$ENV{AMENT_PREFIX_PATH}" MATCHES "${BT_WHEELS_PREFIX}")
    set(ENV{AMENT_PREFIX_PATH} "${BT_WHEELS_PREFIX}:$ENV{AMENT_PREFIX_PATH}")
  endif()
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _bt_interfaces_fix_imported_targets)
endmacro()

function(_bt_interfaces_fix_imported_targets)
  get_property(_targets DIRECTORY "${CMAKE_SOURCE_DIR}" PROPERTY IMPORTED_TARGETS)
  foreach(_target IN LISTS _targets)
    get_target_property(_dirs "${_target}" INTERFACE_INCLUDE_DIRECTORIES)
    if(NOT _dirs OR NOT "${_dirs}" MATCHES "/opt/python/")
      continue()
    endif()
    set(_fixed "")
    foreach(_dir IN LISTS _dirs)
      if(_dir MATCHES "/opt/python/.*numpy")
        list(APPEND _fixed "${BT_NUMPY_INCLUDE_DIR}")
      elseif(_dir MATCHES "/opt/python/")
        list(APPEND _fixed "${BT_PYTHON_INCLUDE_DIR}")
      else()
        list(APPEND _fixed "${_dir}")
      endif()
    endforeach()
    list(REMOVE_DUPLICATES _fixed)
    set_target_properties("${_target}" PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_fixed}")
  endforeach()
endfunction()
