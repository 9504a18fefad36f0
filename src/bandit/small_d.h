/* Private to src/bandit: the dispatch on the dimension d that the ridge kernels (ridge.c) and
 * their four-lane versions (ridge_lanes.c) share. SS_SMALL_D(call, other) expands, inside a
 * function with an int d in scope, to a switch that calls call(1) .. call(8) with the literal
 * d (so the compiler unrolls each instance completely) and call(other) for any other d. */
#ifndef STRATSIM_BANDIT_SMALL_D_H
#define STRATSIM_BANDIT_SMALL_D_H

#define SS_SMALL_D(call, other) \
  switch (d) {                  \
  case 1: call(1); break;       \
  case 2: call(2); break;       \
  case 3: call(3); break;       \
  case 4: call(4); break;       \
  case 5: call(5); break;       \
  case 6: call(6); break;       \
  case 7: call(7); break;       \
  case 8: call(8); break;       \
  default: call(other); break;  \
  }

#endif
