package export

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"
	"time"
)

func TestWriteCSV(t *testing.T) {
	cols := []Column{{Key: "id", Header: "ID"}, {Key: "name", Header: "Aluno"}, {Key: "on", Header: "Ativo"}, {Key: "n", Header: "Duração (min)"}, {Key: "r", Header: "Avaliação"},
		{Key: "f", Header: "Média"}, {Key: "groups", Header: "Turmas"}, {Key: "none", Header: "Cancelado em"}}
	tests := []struct {
		name string
		rows [][]any
		want string
	}{
		{"header only", nil, csvLines("ID,Aluno,Ativo,Duração (min),Avaliação,Média,Turmas,Cancelado em")},
		{"every type", [][]any{
			{"a1", "José \"Zé\" da Silva, Jr.", true, 45, Fixed{5, 1}, 43615.19, []string{"Turma A", "Turma B"}, nil},
			{"a2", "", false, int64(-3), Fixed{4.9, 1}, math.NaN(), []string{}, ""},
			{"a3", "duas\nlinhas\r\ne CR\r", nil, 0, Fixed{math.Inf(1), 1}, -0.5, []string{"Só"}, " espaço"},
		}, csvLines(
			"ID,Aluno,Ativo,Duração (min),Avaliação,Média,Turmas,Cancelado em",
			`a1,"José ""Zé"" da Silva, Jr.",true,45,5.0,43615.19,"Turma A, Turma B",`,
			`a2,,false,-3,4.9,,,`,
			"a3,\"duas\nlinhas\r\ne CR\r\",,0,,-0.5,Só,\" espaço\"",
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteCSV(&b, cols, rowsOf(tt.rows...)); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%q\nwant\n%q", b.String(), tt.want)
			}
			// What was written reads back as as many records as were written.
			records, err := csv.NewReader(&b).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(records) != len(tt.rows)+1 {
				t.Errorf("read back %d records, want %d", len(records), len(tt.rows)+1)
			}
		})
	}
}

// injectionCases are cells the formula-injection guard must change, or not.
var injectionCases = []struct {
	in   any
	want string // CSV field, unquoted
}{
	{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
	{"+55 11 99999-0000", "'+55 11 99999-0000"},
	{"-1 é", "'-1 é"},
	{"@prof", "'@prof"},
	{"\tx", "'\tx"},
	{"\rx", "'\rx"},
	{[]string{"=1+1", "b"}, "'=1+1, b"},
	{[]string{"a", "=1+1"}, "a, =1+1"}, // only the cell's start matters
	{"-", "'-"},
	{"'=already", "'=already"},
	{"Matemática - Álgebra", "Matemática - Álgebra"},
	{" =x", " =x"},
	{"x=1", "x=1"},
	{"", ""},
	{-3, "-3"},
	{int64(-3), "-3"},
	{-2.5, "-2.5"},
	{Fixed{-1, 1}, "-1.0"},
}

func TestWriteCSVSanitizes(t *testing.T) {
	for _, tc := range injectionCases {
		// Two columns: a one-field record holding "" would be an empty
		// line, which CSV readers skip.
		var b bytes.Buffer
		if err := WriteCSV(&b, columns(2), rowsOf([]any{tc.in, "x"})); err != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := records[1][0]; got != tc.want {
			t.Errorf("%#v: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriteJSONDoesNotSanitize(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, columns(2), rowsOf([]any{"=1+1", []string{"@a", "-b"}})); err != nil {
		t.Fatal(err)
	}
	if want := `[{"c1":"=1+1","c2":["@a","-b"]}]` + "\n"; b.String() != want {
		t.Errorf("got %s, want %s", b.String(), want)
	}
}

func TestWriteCSVSections(t *testing.T) {
	var b bytes.Buffer
	err := WriteCSVSections(&b,
		Section{Name: SummarySheet, Columns: SummaryColumns, Rows: rowsOf(
			[]any{"Início do período", "01/01/2024"}, []any{"Total de perguntas", 41})},
		Section{Name: SummarySheet, Columns: DisciplineCountColumns, Rows: rowsOf([]any{"Matemática", 41})},
		Section{Name: TeachersSheet, Columns: []Column{{Key: "a", Header: "Nome"}}, Rows: rowsOf()},
		Section{Name: StudentsSheet, Columns: []Column{{Key: "a", Header: "Nome"}, {Key: "b", Header: "Ativo"}}, Rows: rowsOf([]any{"-Ana", true})},
	)
	if err != nil {
		t.Fatal(err)
	}
	want := csvLines(
		"Indicador,Valor",
		"Início do período,01/01/2024",
		"Total de perguntas,41",
		"",
		"Disciplina,Perguntas",
		"Matemática,41",
		"",
		"Nome",
		"",
		"Nome,Ativo",
		"'-Ana,true",
	)
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteCSVRejects(t *testing.T) {
	err := WriteCSV(&bytes.Buffer{}, columns(2), rowsOf([]any{"a", "b"}, []any{"a", Object{}}))
	if err == nil || !strings.Contains(err.Error(), `row 2, column "c2": unsupported value type export.Object`) {
		t.Errorf("got error %v, want the row, the column and the type", err)
	}
}

// TestCSVFieldsAreEncodingCSVs compares every field with what encoding/csv
// writes for the sanitized text, over the cases FuzzCSVField starts from.
func TestCSVFieldsAreEncodingCSVs(t *testing.T) {
	for _, s := range csvFieldCases {
		checkCSVField(t, s)
	}
}

var csvFieldCases = []string{
	"", " ", "a", `\.`, `\.x`, "a,b", `a"b`, `"`, `""`, "a\nb", "a\rb", "\r\n", " lead", "\tlead", "\u00a0nbsp",
	"\u2003em space", "trail ", "=1+1", "=a,b", `="x"`, "-", "+55 11", "@x", "'=x", "é", "\xff", "Anônimo",
}

func FuzzCSVField(f *testing.F) {
	for _, s := range csvFieldCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkCSVField(t, s)
		checkExcelField(t, s)
	})
}

// checkCSVField checks the CSV field of the string s and of the lists
// [s] and [s, s] against encoding/csv's.
func checkCSVField(t *testing.T, s string) {
	for _, v := range []any{s, []string{s}, []string{s, s}} {
		var want bytes.Buffer
		cw := csv.NewWriter(&want)
		text := s
		if list, ok := v.([]string); ok {
			text = joinList(list)
		}
		_ = cw.Write([]string{Sanitize(text)})
		cw.Flush()
		got, err := appendCSVValue(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		if string(got)+"\n" != want.String() {
			t.Errorf("%#v: got %q, want %q", v, got, want.String())
		}
	}
}

// TestWriteCSVCellsAllocateNothing checks that encoding a row of every
// cell type allocates nothing once the buffer has grown, in both dialects.
func TestWriteCSVCellsAllocateNothing(t *testing.T) {
	row := reportRow(7)
	row[0] = `"quoted", with a comma; and a semicolon`
	for _, d := range []*csvDialect{defaultCSV, excelCSV} {
		b := make([]byte, 0, 4096)
		allocs := testing.AllocsPerRun(100, func() {
			b = b[:0]
			for _, v := range row {
				b, _ = d.value(b, v)
			}
		})
		if allocs != 0 {
			t.Errorf("%v allocations per row (comma %q), want 0", allocs, d.comma)
		}
	}
}

func TestWriteExcelCSV(t *testing.T) {
	manaus := time.FixedZone("AMT", -4*3600)
	at := time.Date(2026, 5, 1, 0, 18, 52, 886e6, time.UTC)
	cols := []Column{{Key: "id", Header: "id", Label: "ID da pergunta"}, {Key: "name", Header: "Aluno"}, {Key: "on", Header: "Ativo"},
		{Key: "n", Header: "Duração (min)"}, {Key: "r", Header: "Avaliação"}, {Key: "f", Header: "Média"}, {Key: "groups", Header: "Turmas"},
		{Key: "at", Header: "Criada em"}, {Key: "day", Header: "Dia"}}
	rows := [][]any{
		{"a1", "José \"Zé\"; Jr., Silva", true, 45, Fixed{5, 1}, 43615.19, []string{"Turma A", "Turma B"},
			Time{At: at.In(manaus), Text: "2026-05-01T00:18:52.886Z"}, Time{At: at.In(manaus), Text: "2026-04-30", Date: true}},
		{"a2", "", false, int64(-3), Fixed{4.9, 1}, math.NaN(), []string{}, Time{At: at, Text: "x"}, nil},
		{"a3", "duas\nlinhas", nil, 0, Fixed{math.Inf(1), 1}, -0.5, []string{"Só"}, "", "-1"},
	}
	var b bytes.Buffer
	if err := WriteExcelCSV(&b, cols, rowsOf(rows...)); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF" + strings.Join([]string{
		"ID da pergunta;Aluno;Ativo;Duração (min);Avaliação;Média;Turmas;Criada em;Dia",
		`a1;"José ""Zé""; Jr., Silva";VERDADEIRO;45;5,0;43615,19;"Turma A, Turma B";30/04/2026 20:18;30/04/2026`,
		`a2;;FALSO;-3;4,9;;;01/05/2026 00:18;`,
		"a3;\"duas\nlinhas\";;0;;-0,5;Só;;'-1",
	}, "\r\n") + "\r\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\uFEFF")))
	r.Comma = ';'
	if records, err := r.ReadAll(); err != nil || len(records) != len(rows)+1 {
		t.Errorf("read back %d records (%v), want %d", len(records), err, len(rows)+1)
	}
}

func TestWriteExcelCSVSections(t *testing.T) {
	var b bytes.Buffer
	err := WriteExcelCSVSections(&b,
		Section{Columns: SummaryColumns, Rows: rowsOf([]any{"Usuários ativos (%)", 78.95})},
		Section{Columns: DisciplineCountColumns, Rows: rowsOf([]any{"Matemática", 41})},
	)
	if err != nil {
		t.Fatal(err)
	}
	want := "\uFEFFIndicador;Valor\r\nUsuários ativos (%);78,95\r\n\r\nDisciplina;Perguntas\r\nMatemática;41\r\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// TestExcelCSVFieldsAreEncodingCSVs compares the text fields of the Excel
// dialect with what encoding/csv writes with a semicolon for a comma.
func TestExcelCSVFieldsAreEncodingCSVs(t *testing.T) {
	for _, s := range csvFieldCases {
		checkExcelField(t, s)
	}
}

// checkExcelField is checkCSVField in the Excel dialect: the field of s
// is encoding/csv's with a semicolon for a comma; a list reads back as its
// items joined (two items or more are quoted even without a semicolon).
func checkExcelField(t *testing.T, s string) {
	var want bytes.Buffer
	cw := csv.NewWriter(&want)
	cw.Comma = ';'
	_ = cw.Write([]string{Sanitize(s)})
	cw.Flush()
	got, err := appendExcelValue(nil, s)
	if err != nil {
		t.Fatal(err)
	}
	if string(got)+"\n" != want.String() {
		t.Errorf("%q: got %q, want %q", s, got, want.String())
	}
	for _, list := range [][]string{{s}, {s, s}} {
		got, err := appendExcelValue(nil, list)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(append(got, ";x\n"...)))
		r.Comma, r.LazyQuotes = ';', false
		record, err := r.Read()
		// encoding/csv reads a quoted CRLF as LF.
		text := strings.ReplaceAll(Sanitize(joinList(list)), "\r\n", "\n")
		if err != nil || record[0] != text {
			t.Errorf("%q: read back %q (%v), want %q", list, record, err, text)
		}
	}
}

func TestWriteExcelCSVSanitizes(t *testing.T) {
	for _, tc := range injectionCases {
		var b bytes.Buffer
		if err := WriteExcelCSV(&b, columns(2), rowsOf([]any{tc.in, "x"})); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\uFEFF")))
		r.Comma = ';'
		records, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := tc.want
		switch tc.in.(type) {
		case float64, Fixed:
			want = strings.Replace(want, ".", ",", 1) // a decimal comma
		}
		if got := records[1][0]; got != want {
			t.Errorf("%#v: got %q, want %q", tc.in, got, want)
		}
	}
}
