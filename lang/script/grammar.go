package script

import "github.com/alecthomas/participle/v2/lexer"

// The grammar structs are the parse tree. Each type is one production
// (participle names the production after the type, so the names are what
// testdata/grammar.ebnf shows); Pos and EndPos are filled by participle.
// convert.go turns the tree into the lang AST; nothing here leaves the
// package.

// script is a whole file after the preamble and expression lines have been
// blanked out (scan.go).
type script struct {
	Items []*item `parser:"@@*"`
}

// item is a top-level definition: a macro or a probe.
type item struct {
	Macro *macroDef `parser:"  @@"`
	Probe *probe    `parser:"| @@"`
}

// macroDef is "macro NAME($a, $b) { statements }", bpftrace's statement
// macro; convert.go expands each call of it.
type macroDef struct {
	Pos    lexer.Position
	Name   string      `parser:"'macro' @Ident"`
	Params []string    `parser:"'(' ( @Var ( ',' @Var )* )? ')'"`
	Body   []*stmtItem `parser:"'{' ';'* @@* '}'"`
	EndPos lexer.Position
}

// probe is an optional label ("label:netfilter"), attach points, an
// optional predicate and a block. With a predicate, the PredEnd token
// "/ {" both closes it and opens the block.
type probe struct {
	Pos    lexer.Position
	Label  string      `parser:"( 'label' ':' @Path )?"`
	Attach []*attach   `parser:"@@ ( ',' @@ )*"`
	Pred   *expr       `parser:"( '/' @@ PredEnd | '{' )"`
	Body   []*stmtItem `parser:"';'* @@* '}'"`
	EndPos lexer.Position
}

// attach is "kind" or "kind:path"; the path is split per kind in attach.go.
type attach struct {
	Pos    lexer.Position
	Kind   string `parser:"@Ident"`
	Path   string `parser:"( ':' @Path )?"`
	EndPos lexer.Position
}

// block is "{ statements }".
type block struct {
	Pos    lexer.Position
	Stmts  []*stmtItem `parser:"'{' ';'* @@* '}'"`
	EndPos lexer.Position
}

// stmtItem is a statement and whether semicolons followed it; convert.go
// requires them between simple statements, as bpftrace does.
type stmtItem struct {
	Stmt *stmt `parser:"@@"`
	Semi bool  `parser:"@';'*"`
}

// stmt is one statement.
type stmt struct {
	Pos      lexer.Position
	If       *ifStmt   `parser:"  @@"`
	While    *loopStmt `parser:"| 'while' @@"`
	Unroll   *loopStmt `parser:"| 'unroll' @@"`
	Branch   string    `parser:"| @('break' | 'continue' | 'return')"`
	Expr     *expr     `parser:"| @@"`
	AssignOp string    `parser:"  ( @('=' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=')"`
	Value    *expr     `parser:"    @@ )?"`
	EndPos   lexer.Position
}

// ifStmt is "if (cond) block [else if ... | else block]".
type ifStmt struct {
	Pos    lexer.Position
	Comp   bool       `parser:"'if' @'comptime'?"`
	Cond   *expr      `parser:"'(' @@ ')'"`
	Then   *block     `parser:"@@"`
	Else   *elseStmts `parser:"( 'else' @@ )?"`
	EndPos lexer.Position
}

// elseStmts is what follows "else".
type elseStmts struct {
	If    *ifStmt `parser:"  @@"`
	Block *block  `parser:"| @@"`
}

// loopStmt is "(expr) block" after "while" or "unroll".
type loopStmt struct {
	Cond *expr  `parser:"'(' @@ ')'"`
	Body *block `parser:"@@"`
}

// expr is a conditional expression; the ternary is right-associative.
type expr struct {
	Pos    lexer.Position
	Cond   *binary `parser:"@@"`
	Then   *expr   `parser:"( '?' @@"`
	Else   *expr   `parser:"  ':' @@ )?"`
	EndPos lexer.Position
}

// binary is a flat chain "unary (op unary)*"; convert.go folds it by
// precedence climbing.
type binary struct {
	X    *unary     `parser:"@@"`
	Rest []*binRest `parser:"@@*"`
}

// binRest is one "op unary" of a chain.
type binRest struct {
	Op string `parser:"@('||' | '&&' | '|' | '^' | '&' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '<<' | '>>' | '+' | '-' | '*' | '/' | '%')"`
	Y  *unary `parser:"@@"`
}

// unary is a prefix operator, a cast, or a postfix expression.
type unary struct {
	Pos     lexer.Position
	Op      string    `parser:"(  @('!' | '~' | '-' | '*' | '&' | '++' | '--')"`
	X       *unary    `parser:"   @@"`
	Cast    *typeName `parser:"| '(' @@ ')'"`
	CastX   *unary    `parser:"  @@"`
	Postfix *postfix  `parser:"| @@ )"`
	EndPos  lexer.Position
}

// postfix is a primary followed by member, index and ++/-- suffixes.
type postfix struct {
	X   *primary     `parser:"@@"`
	Ops []*postfixOp `parser:"@@*"`
}

// postfixOp is one suffix; Field is a member name or a tuple index.
type postfixOp struct {
	Sel    string `parser:"(  @('->' | '.')"`
	Field  string `parser:"   @(Ident | Int)"`
	Index  *expr  `parser:"| '[' @@ ']'"`
	IncDec string `parser:"| @('++' | '--') )"`
	EndPos lexer.Position
}

// primary is an operand. Call, Keys and Elems are comma-separated lists:
// call arguments, map keys, a parenthesized expression or tuple.
type primary struct {
	Pos    lexer.Position
	Skb    *skbCast   `parser:"(  @@"`
	Sizeof *sizeofArg `parser:"| 'sizeof' '(' @@ ')'"`
	Has    *hasField  `parser:"| 'has_field' '(' @@ ')'"`
	Ident  string     `parser:"| @Ident"`
	Call   bool       `parser:"  ( @'('"`
	Args   []*expr    `parser:"    ( @@ ( ',' @@ )* )? ')' )?"`
	Var    string     `parser:"| @Var"`
	Map    string     `parser:"| @Map"`
	Keys   []*expr    `parser:"  ( '[' @@ ( ',' @@ )* ']' )?"`
	Int    string     `parser:"| @Int"`
	Str    string     `parser:"| @String"`
	Char   string     `parser:"| @Char"`
	Elems  []*expr    `parser:"| '(' @@ ( ',' @@ )* ')' )"`
	EndPos lexer.Position
}

// skbCast is "@(type) [tag] operand": with two primaries the first is the
// layer tag (l2, l3, l4, h); convert.go checks it.
type skbCast struct {
	Type    *typeName `parser:"'@' '(' @@ ')'"`
	First   *primary  `parser:"@@"`
	Operand *primary  `parser:"@@?"`
}

// sizeofArg is a type or an expression.
type sizeofArg struct {
	Type *typeName `parser:"  @@ (?= ')')"`
	X    *expr     `parser:"| @@"`
}

// hasField is has_field's arguments: a type or an expression, then the
// field's name as a string.
type hasField struct {
	Type  *typeName `parser:"(  @@ (?= ',')"`
	X     *expr     `parser:"| @@ )"`
	Field string    `parser:"',' @String"`
}

// typeName is a C type in a cast or sizeof. A plain identifier counts as a
// type only before "*", so "(x)" stays a parenthesized expression.
type typeName struct {
	Pos    lexer.Position
	Tag    string   `parser:"(  @('struct' | 'union' | 'enum')"`
	Name   string   `parser:"   @Ident"`
	Words  []string `parser:"|  @('unsigned' | 'signed' | 'char' | 'short' | 'int' | 'long' | 'bool' | 'void' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'u8' | 'u16' | 'u32' | 'u64' | 's8' | 's16' | 's32' | 's64' | '__u8' | '__u16' | '__u32' | '__u64' | '__s8' | '__s16' | '__s32' | '__s64' | '__be16' | '__be32' | '__be64' | 'size_t')+"`
	Named  string   `parser:"|  @Ident (?= '*') )"`
	Ptr    []string `parser:"@'*'*"`
	EndPos lexer.Position
}
