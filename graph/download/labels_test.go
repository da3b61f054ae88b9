package download_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/graph/download"
)

// schema is the API's own schema.
func schema() *ast.Schema {
	return graph.NewExecutableSchema(graph.Config{}).Schema()
}

// TestEveryFieldHasALabel: every field of every object and interface of the
// schema has a label in Portuguese and in English, and every field holding
// objects (but a connection's edges and node, which labels leave out) the
// Portuguese phrase that names it after the fields below it. A field added
// to the schema without its label fails here.
func TestEveryFieldHasALabel(t *testing.T) {
	s := schema()
	var names []string
	for name, def := range s.Types {
		if (def.Kind == ast.Object || def.Kind == ast.Interface) && !strings.HasPrefix(name, "__") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	if len(names) < 30 {
		t.Fatalf("only %d types in the schema: %v", len(names), names)
	}
	for _, name := range names {
		for _, f := range s.Types[name].Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if f.Name == "edges" && strings.HasSuffix(name, "Connection") || f.Name == "node" && strings.HasSuffix(name, "Edge") {
				continue // left out of labels
			}
			pt, en, of, ok := download.LabelFor(name, f.Name)
			if !ok || pt == "" || en == "" {
				t.Errorf("%s.%s has no label (pt %q, en %q)", name, f.Name, pt, en)
				continue
			}
			holdsObjects := s.Types[f.Type.Name()].Kind != ast.Scalar && s.Types[f.Type.Name()].Kind != ast.Enum
			if holdsObjects && name != "Query" && of == "" {
				t.Errorf("%s.%s holds %s but has no Portuguese phrase to name it (\"do aluno\")", name, f.Name, f.Type.Name())
			}
		}
	}
}

// TestLabels: the headers and sheet names of downloads of the API's own
// queries, in Portuguese and in English.
func TestLabels(t *testing.T) {
	s := schema()
	tests := []struct {
		name, query    string
		paths, pt, en  []string
		sheetPT, sheet string
	}{
		{
			name: "a report's rows and the objects they refer to",
			query: `{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}) { edges { node {
				statusLabel status createdAt description student { email firstName id } group { name school { name } }
				discipline { name } subject { name discipline { name } } p: responseMinutes question { student { email } }
			} } } }`,
			paths: []string{"statusLabel", "status", "createdAt", "description", "student.email", "student.firstName", "student.id",
				"group.name", "group.school.name", "discipline.name", "subject.name", "subject.discipline.name", "p", "question.student.email"},
			pt: []string{"Status", "Código do status", "Criada em", "Pergunta", "E-mail do aluno", "Nome do aluno", "ID do aluno",
				"Turma", "Escola da turma", "Disciplina", "Assunto", "Disciplina do assunto", "p", "E-mail do aluno da pergunta"},
			en: []string{"Status", "Status code", "Created at", "Question", "Student email", "Student first name", "Student ID",
				"Group", "Group school", "Discipline", "Subject", "Subject discipline", "p", "Question student email"},
			sheetPT: "Perguntas", sheet: "Questions",
		},
		{
			name: "aliases stand for their field's label",
			query: `{ relatorio: bookingsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}) {
				edges { node { quem: student { email correio: email } sala: bookingRoom { name } e: ratingByStudent } } } }`,
			paths:   []string{"quem.email", "quem.correio", "sala.name", "e"},
			pt:      []string{"E-mail de quem", "correio de quem", "sala", "e"},
			en:      []string{"quem email", "quem correio", "sala", "e"},
			sheetPT: "relatorio", sheet: "relatorio",
		},
		{
			name:  "a stats list; a connection nested in a row",
			query: `{ questionStats(filter: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}, groupBy: [SCHOOL], timeBucket: MONTH) { bucketStart school { name groups { totalCount edges { node { name } } } } count p50ResponseMinutes } }`,
			paths: []string{"bucketStart", "school.name", "school.groups.totalCount", "school.groups.edges.node.name", "count", "p50ResponseMinutes"},
			pt:    []string{"Início do período", "Escola", "Total das turmas da escola", "Turmas da escola", "Perguntas", "Mediana do tempo de resposta (min)"},
			en: []string{"Period start", "School", "School groups total count", "School groups", "Questions",
				"Median response time (min)"},
			sheetPT: "Estatísticas de perguntas", sheet: "Question statistics",
		},
		{
			name:    "an ent connection",
			query:   `{ users(first: 10) { edges { node { firstName createdAt studentGroups { edges { node { name school { name } } } } } } } }`,
			paths:   []string{"firstName", "createdAt", "studentGroups.edges.node.name", "studentGroups.edges.node.school.name"},
			pt:      []string{"Nome", "Criado em", "Turmas como aluno", "Escola das turmas como aluno"},
			en:      []string{"First name", "Created at", "Groups as student", "Groups as student school"},
			sheetPT: "Usuários", sheet: "Users",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQueryWithRules(s, tt.query, nil) // nil: the default rules
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			p, err := download.Parse(doc, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, lang := range []download.Language{download.Portuguese, download.English} {
				var paths, labels []string
				for _, c := range p.Columns(lang) {
					if c.Key != c.Header {
						t.Errorf("column %q is headed %q in CSV, want its path", c.Key, c.Header)
					}
					paths, labels = append(paths, c.Header), append(labels, c.SheetHeader())
				}
				want, sheet := tt.pt, tt.sheetPT
				if lang == download.English {
					want, sheet = tt.en, tt.sheet
				}
				if !reflect.DeepEqual(paths, tt.paths) {
					t.Errorf("paths %q, want %q", paths, tt.paths)
				}
				if !reflect.DeepEqual(labels, want) {
					t.Errorf("language %d: labels\n got %q\nwant %q", lang, labels, want)
				}
				if got := p.SheetName(lang); got != sheet {
					t.Errorf("language %d: sheet %q, want %q", lang, got, sheet)
				}
			}
		})
	}
}
