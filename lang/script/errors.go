package script

import (
	"errors"
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/surftrace/surftrace/lang"
)

// syntaxError turns a participle error into a positioned *lang.Error with
// a short message: `unexpected "}", want expression`.
func syntaxError(src *lang.Source, err error) *lang.Error {
	var perr participle.Error
	if !errors.As(err, &perr) {
		return lang.Errorf(lang.Span{Pos: lang.PosAt(src, 0)}, "%v", err)
	}
	off := perr.Position().Offset
	var ute *participle.UnexpectedTokenError
	if !errors.As(err, &ute) {
		// Only the Path state can fail to lex: Root and Body catch every
		// character as Bad.
		at := lang.PosAt(src, off)
		return lang.Errorf(lang.Span{Pos: at, End: at}, "want an attach point after \":\"")
	}
	tok := ute.Unexpected
	sp := lang.Span{Pos: lang.PosAt(src, off), End: lang.PosAt(src, off+len(tok.Value))}
	if tok.EOF() {
		return lang.Errorf(sp, "unexpected end of file%s", want(ute.Message()))
	}
	if tok.Type == scriptLexer.Symbols()["Open"] {
		switch tok.Value {
		case "/*":
			return lang.Errorf(sp, "unterminated comment")
		case `"`:
			return lang.Errorf(sp, "unterminated string")
		case "'":
			return lang.Errorf(sp, "bad character literal")
		}
	}
	if tok.Type == scriptLexer.Symbols()["PredEnd"] {
		tok.Value = "/"
		sp.End = lang.PosAt(src, off+1)
	}
	return lang.Errorf(sp, "unexpected %s%s", quoteToken(tok), want(ute.Message()))
}

// quoteToken shows a token in a message: "}" or the start of a long one.
func quoteToken(tok lexer.Token) string {
	v := tok.Value
	if len(v) > 20 {
		v = v[:20] + "..."
	}
	return fmt.Sprintf("%q", v)
}

// expectations names what participle expected, by the start of its EBNF,
// in messages; the first match wins.
var expectations = []struct{ prefix, want string }{
	{`<ident> ("("`, "expression"},
	{`(("/" Expr <predend>) | "{")`, `"{"`},
	{`(<ident> | <int>)`, "member name"},
	{`<predend>`, `"/" closing the predicate`},
	{`<ident>`, "name"},
	{`<path>`, "attach point"},
	{`Expr`, "expression"},
	{`Unary`, "expression"},
	{`TypeName`, "type"},
	{`StmtItem`, "statement"},
	{`Block`, `"{"`},
	{`LoopStmt`, `"("`},
	{`ElseStmts`, `"if" or "{"`},
}

// want turns participle's "(expected X)" into ", want ..." from the start
// of X: a quoted literal, or a name from expectations; "" when neither.
func want(msg string) string {
	_, exp, ok := strings.Cut(msg, "(expected ")
	if !ok {
		return ""
	}
	for _, e := range expectations {
		if strings.HasPrefix(exp, e.prefix) {
			return ", want " + e.want
		}
	}
	if strings.HasPrefix(exp, `"`) {
		if end := strings.IndexByte(exp[1:], '"'); end >= 0 {
			return ", want " + exp[:end+2]
		}
	}
	return ""
}
