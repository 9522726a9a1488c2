/*
 * vigil_opcodes.h — the bytecode of compiled policy conditions (format version 1).
 *
 * INSTRUCTION FORMAT
 *
 *     +--------+-----------+-----------+
 *     | op: u8 | A: u32 LE | B: u32 LE |      operands present per the table below (0, 1 or 2)
 *     +--------+-----------+-----------+
 *
 *   OP_RECORD is the one variable-length instruction: A = n, then n u32 name ids (one per field, in the order
 *   the field values were pushed).
 *
 * MACHINE
 *   A stack of values (vigil_format.h encodings, in the index or in per-thread scratch). A program computes one
 *   policy's condition — scope excluded: the evaluator matches the scope itself before running the program — and
 *   ends with OP_RET, whose operand is the policy's truth. Any instruction marked "can fail" may stop the program
 *   with an error (a VIGIL_ERR_* kind and the pc), which Cedar reports as the policy erroring; such a policy is
 *   not satisfied. Jump targets are absolute byte offsets into the program and must land on an instruction.
 *
 * The compiler (Swift, VigilCompiler) and the evaluator (C, vm.c) must agree on every number and operand count
 * here: ORDER OP — a unit test compares the two tables. Keep the enum, vigil_op_info[] and the Swift encoder in
 * the same order.
 *
 *   opcode              A       B       synopsis                                              can fail
 */
#ifndef VIGIL_OPCODES_H
#define VIGIL_OPCODES_H

enum vigil_opcode {                                                        /* ORDER OP */
    OP_RET = 0,          /* -       -       return pop() (must be Bool)                             type     */
    OP_CONST,            /* k       -       push const[k]                                           -        */
    OP_TRUE,             /* -       -       push true                                               -        */
    OP_FALSE,            /* -       -       push false                                              -        */
    OP_VAR,              /* v       -       push principal(0) action(1) resource(2) context(3)      -        */
    OP_DUP,              /* -       -       push top                                                -        */
    OP_POP,              /* -       -       drop top                                                -        */
    OP_JUMP,             /* pc      -       pc := A                                                 -        */
    OP_JUMP_IF_FALSE,    /* pc      -       b := pop() (Bool); if !b then pc := A                   type     */
    OP_JUMP_IF_TRUE,     /* pc      -       b := pop() (Bool); if b then pc := A                    type     */
    OP_CHECK_BOOL,       /* -       -       top must be Bool (right operand of && and ||)           type     */
    OP_NOT,              /* -       -       push !pop() (Bool)                                      type     */
    OP_NEG,              /* -       -       push -pop() (Long)                                      type, overflow */
    OP_EQ,               /* -       -       b, a := pop(), pop(); push a == b (any types)           -        */
    OP_NE,               /* -       -       push a != b                                             -        */
    OP_LT,               /* -       -       push a < b: Long, datetime or duration, same on both    type     */
    OP_LE,               /* -       -       push a <= b                                             type     */
    OP_GT,               /* -       -       push a > b                                              type     */
    OP_GE,               /* -       -       push a >= b                                             type     */
    OP_ADD,              /* -       -       push a + b (Long)                                       type, overflow */
    OP_SUB,              /* -       -       push a - b (Long)                                       type, overflow */
    OP_MUL,              /* -       -       push a * b (Long)                                       type, overflow */
    OP_IN,               /* -       -       a entity; b entity or set of entities: a == b or b in
                                            ancestors(a), or any element so                         type     */
    OP_CONTAINS,         /* -       -       a set: push b in a                                      type     */
    OP_CONTAINS_ALL,     /* -       -       a, b sets: push b subset of a                           type     */
    OP_CONTAINS_ANY,     /* -       -       a, b sets: push a and b intersect                       type     */
    OP_IS_EMPTY,         /* -       -       push pop() == [] (Set)                                  type     */
    OP_GET_ATTR,         /* name    -       push pop().name: record or present entity               type, missing attr/entity */
    OP_HAS_ATTR,         /* name    -       push pop() has name: record or entity (absent: false)   type     */
    OP_GET_TAG,          /* -       -       a entity, b String: push a.getTag(b)                    type, missing tag/entity */
    OP_HAS_TAG,          /* -       -       a entity, b String: push a.hasTag(b)                    type     */
    OP_LIKE,             /* k       -       push pop() like const[k] (String; const is a PATTERN)   type     */
    OP_IS,               /* type    -       push pop() is type (entity; A is a name id)             type     */
    OP_SET,              /* n       -       pop n values, push the set of them                      limit    */
    OP_RECORD,           /* n       ids...  pop n values, push the record {id_i: value_i}           limit    */
    OP_EXT,              /* fn      argc    pop argc args, push vigil_ext[fn](args)                 type, extension, arity, overflow */
    OP_ERROR,            /* kind    -       stop with error kind A (code the compiler knows fails)  always   */
    OP__COUNT
};

/* Extension functions called by OP_EXT, numbered in this order (ORDER EXT; the Swift compiler uses the same
 * numbers). Receivers of methods are the first argument. */
enum vigil_ext_fn {                                                        /* ORDER EXT */
    EXT_IP = 0, EXT_IS_IPV4, EXT_IS_IPV6, EXT_IS_LOOPBACK, EXT_IS_MULTICAST, EXT_IS_IN_RANGE,
    EXT_DECIMAL, EXT_LESS_THAN, EXT_LESS_THAN_OR_EQUAL, EXT_GREATER_THAN, EXT_GREATER_THAN_OR_EQUAL,
    EXT_DATETIME, EXT_DURATION, EXT_OFFSET, EXT_DURATION_SINCE, EXT_TO_DATE, EXT_TO_TIME,
    EXT_TO_DAYS, EXT_TO_HOURS, EXT_TO_MINUTES, EXT_TO_SECONDS, EXT_TO_MILLISECONDS,
    EXT__COUNT
};

/*
 * NOTES
 *   - && compiles to  <a> JUMP_IF_FALSE Lf; <b> CHECK_BOOL; JUMP Lend; Lf: FALSE; Lend:  and || likewise with
 *     JUMP_IF_TRUE and TRUE: Cedar checks the type of the right operand only when it is evaluated.
 *   - if c then t else e compiles to  <c> JUMP_IF_FALSE Le; <t> JUMP Lend; Le: <e>; Lend:.
 *   - `e has a.b` is `e has a && e.a has b`: <e> DUP HAS_ATTR a JUMP_IF_FALSE Lpop; GET_ATTR a HAS_ATTR b JUMP Lend;
 *     Lpop: POP FALSE; Lend:  (e is evaluated once).
 *   - Constant folding happens in the compiler: extension constructors with literal arguments become constants.
 *     A call the compiler can prove fails (an invalid literal) becomes OP_ERROR, after its arguments' code, so the
 *     error is raised at the same point of evaluation as in Cedar.
 *   - `when { c }` / `unless { c }` clauses: <c> JUMP_IF_FALSE Lno (or JUMP_IF_TRUE for unless) for each clause
 *     but the last, which is <c> RET (unless: <c> NOT RET), then Lno: FALSE RET when there was a jump; RET and
 *     NOT refuse a non-Bool as the jump does, at the clause's position. No clause at all: TRUE RET. (Indexes
 *     compiled before 2026-11-23 end every program with JUMP_IF_FALSE/TRUE Lno; TRUE RET; Lno: FALSE RET, which
 *     computes the same: the reader runs both.)
 */

#endif /* VIGIL_OPCODES_H */
