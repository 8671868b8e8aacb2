// A type-level test: `const same: Equal<A, B> = true` compiles only when A and B are the same
// type, not merely assignable either way (TypeScript compares the two generic functions'
// conditional return types by identity).
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
