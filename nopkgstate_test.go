package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// pkgStateAllowed are the package-level variables that hold mutable kinds of value but are shared on
// purpose, each with its reason. Keep it short: state belongs to a constructed value (the Handler, the
// DB, the index) that its owner creates and closes.
var pkgStateAllowed = map[string]string{
	// (none yet)
}

// TestNoPackageLevelMutableState reads every non-test Go file of the module (go/ast, no build) and
// fails on a package-level var that
//   - holds a kind of value that is state by nature — a sync or sync/atomic type, a channel, or a
//     pointer made at start (&T{}, new(T)) — or
//   - is written after initialisation anywhere in its package, tests included: assigned, an element
//     set, deleted or sorted in place, its address taken (a map, slice or counter that changes).
//
// A map or slice that is filled once where it is declared (or in init) and only read afterwards is a
// lookup table (the codes of docs/design.md §3.2, column lists, locale tables) and passes. Sentinel errors
// (errors.New) and compiled regular expressions are values that never change and pass too. Limits
// of a syntax-only check: a write through a function that mutates its argument, or from another
// package, is not seen.
func TestNoPackageLevelMutableState(t *testing.T) {
	type pkg struct {
		vars  map[string]token.Position // declared in non-test files
		files []*ast.File
		test  []bool
	}
	fset := token.NewFileSet()
	pkgs := map[string]*pkg{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != "." && (strings.HasPrefix(n, ".") || n == "bin" || n == "data" || n == "testdata" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		p := pkgs[dir]
		if p == nil {
			p = &pkg{vars: map[string]token.Position{}}
			pkgs[dir] = p
		}
		isTest := strings.HasSuffix(path, "_test.go")
		p.files = append(p.files, f)
		p.test = append(p.test, isTest)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	report := func(dir, name string, pos token.Position, why string) {
		key := filepath.ToSlash(dir) + "." + name
		if _, ok := pkgStateAllowed[key]; ok {
			return
		}
		problems = append(problems, pos.String()+": package-level var "+name+" "+why)
	}
	for dir, p := range pkgs {
		// Declarations in non-test files, and the kinds that are state by nature.
		for i, f := range p.files {
			if p.test[i] {
				continue
			}
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.VAR {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					for j, n := range vs.Names {
						if n.Name == "_" {
							continue
						}
						pos := fset.Position(n.Pos())
						p.vars[n.Name] = pos
						var val ast.Expr
						if j < len(vs.Values) {
							val = vs.Values[j]
						}
						if why := stateByNature(vs.Type, val); why != "" {
							report(dir, n.Name, pos, why)
						}
					}
				}
			}
		}
		// Writes anywhere in the package (tests too), outside init.
		for _, f := range p.files {
			for _, decl := range f.Decls {
				fd, ok := decl.(*ast.FuncDecl)
				if !ok || fd.Body == nil || (fd.Recv == nil && fd.Name.Name == "init") {
					continue
				}
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					var targets []ast.Expr
					switch n := n.(type) {
					case *ast.AssignStmt:
						targets = n.Lhs
					case *ast.IncDecStmt:
						targets = []ast.Expr{n.X}
					case *ast.UnaryExpr:
						if n.Op == token.AND {
							targets = []ast.Expr{n.X}
						}
					case *ast.CallExpr:
						if inPlace(n.Fun) && len(n.Args) > 0 {
							targets = []ast.Expr{n.Args[0]}
						}
					}
					for _, e := range targets {
						if id := rootIdent(e); id != nil && (id.Obj == nil || id.Obj.Kind == ast.Var && isPkgLevel(f, id.Obj)) {
							if pos, ok := p.vars[id.Name]; ok {
								report(dir, id.Name, pos, "is written at "+fset.Position(id.Pos()).String())
							}
						}
					}
					return true
				})
			}
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) > 0 {
		t.Log("move the state into the value that owns it (a field of Handler, DB or a component with Close), " +
			"or make a lookup table a const or a table filled where it is declared")
	}
}

// stateByNature says why a declaration holds state whatever is done with it, or "".
func stateByNature(typ, val ast.Expr) string {
	switch t := typ.(type) {
	case *ast.ChanType:
		return "is a channel"
	case *ast.StarExpr:
		return "is a pointer"
	case *ast.SelectorExpr:
		if x, ok := t.X.(*ast.Ident); ok && (x.Name == "sync" || x.Name == "atomic") {
			return "is a " + x.Name + "." + t.Sel.Name
		}
	}
	switch v := val.(type) {
	case *ast.UnaryExpr:
		if v.Op == token.AND {
			return "points at a value made at start"
		}
	case *ast.CallExpr:
		if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "new" {
			return "points at a value made at start"
		}
		if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "make" && len(v.Args) > 0 {
			if _, ok := v.Args[0].(*ast.ChanType); ok {
				return "is a channel"
			}
		}
	}
	return ""
}

// inPlace reports whether a call changes its first argument: the builtins delete, clear and copy,
// and the in-place sorts of sort and slices.
func inPlace(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name == "delete" || f.Name == "clear" || f.Name == "copy"
	case *ast.SelectorExpr:
		x, ok := f.X.(*ast.Ident)
		if !ok {
			return false
		}
		switch x.Name {
		case "sort":
			switch f.Sel.Name {
			case "Sort", "Stable", "Strings", "Ints", "Float64s", "Slice", "SliceStable":
				return true
			}
		case "slices":
			return strings.HasPrefix(f.Sel.Name, "Sort") || f.Sel.Name == "Reverse"
		}
	}
	return false
}

// rootIdent is the variable an assignment target starts from: x in x, x[i], x.f, x[i].f, *x.
func rootIdent(e ast.Expr) *ast.Ident {
	for {
		switch v := e.(type) {
		case *ast.Ident:
			return v
		case *ast.IndexExpr:
			e = v.X
		case *ast.SelectorExpr:
			e = v.X
		case *ast.StarExpr:
			e = v.X
		case *ast.ParenExpr:
			e = v.X
		default:
			return nil
		}
	}
}

// isPkgLevel reports whether obj is declared at the top level of f.
func isPkgLevel(f *ast.File, obj *ast.Object) bool {
	return f.Scope != nil && f.Scope.Lookup(obj.Name) == obj
}
