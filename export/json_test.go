package export

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestWriteJSON(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables: constant arithmetic would be exact
	cols := []Column{{Key: "s"}, {Key: "empty"}, {Key: "null"}, {Key: "yes"}, {Key: "n"}, {Key: "big"},
		{Key: "f"}, {Key: "rating"}, {Key: "quality"}, {Key: "list"}, {Key: "none"}}
	tests := []struct {
		name string
		cols []Column
		rows [][]any
		want string
	}{
		{"no rows", cols, nil, "[]\n"},
		{"every type", cols, [][]any{
			{"Olá \"mundo\"\n<b>&", "", nil, true, 42, int64(-9007199254740993), 4.9, Fixed{4.9, 1}, Fixed{5, 1}, []string{"Turma", "Matemática"}, []string(nil)},
		}, `[{"s":"Olá \"mundo\"\n<b>&","empty":"","null":null,"yes":true,"n":42,"big":-9007199254740993,` +
			`"f":4.9,"rating":4.9,"quality":5.0,"list":["Turma","Matemática"],"none":[]}]` + "\n"},
		{"numbers", []Column{{Key: "a"}, {Key: "b"}, {Key: "c"}, {Key: "d"}, {Key: "e"}, {Key: "f"}, {Key: "g"}}, [][]any{
			{60.0, tenth + fifth, 1e21, math.NaN(), math.Inf(-1), Fixed{43615.186, 2}, Fixed{2.5, 0}},
			{-3, int64(0), -0.5, Fixed{1, -1}, Fixed{math.NaN(), 1}, Fixed{-1.25, 1}, false},
		}, `[{"a":60,"b":0.30000000000000004,"c":1000000000000000000000,"d":null,"e":null,"f":43615.19,"g":2},` +
			`{"a":-3,"b":0,"c":-0.5,"d":1,"e":null,"f":-1.2,"g":false}]` + "\n"},
		{"keys escaped and in column order", []Column{{Key: "z\"<"}, {Key: "a"}}, [][]any{{"x", "y"}, {"=1+1", "-1"}},
			`[{"z\"<":"x","a":"y"},{"z\"<":"=1+1","a":"-1"}]` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteJSON(&b, tt.cols, rowsOf(tt.rows...)); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !json.Valid(b.Bytes()) {
				t.Errorf("output is not valid JSON")
			}
		})
	}
}

func TestWriteJSONRejects(t *testing.T) {
	tests := []struct {
		name string
		row  []any
		want string
	}{
		{"unsupported type", []any{int32(1)}, `row 1, column "c1": unsupported value type int32`},
		{"short row", []any{}, "row 1 has 0 values for 1 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteJSON(&bytes.Buffer{}, columns(1), rowsOf(tt.row))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestWriteJSONValue(t *testing.T) {
	subject := Object{{"id", 1}, {"name", "Álgebra"}}
	doc := Object{
		{"start_date", "01/01/2024"},
		{"total_questions", 41},
		{"average_adjusted_response_time_in_minutes", 43615.19},
		{"questions_count_by_discipline", Object{{"Matemática", 41}}},
		{"active_users_percentage", 1.0},
		{"average_nps", nil},
		{"nps_answers", []Object{}},
		{"answer_ratings", []Object{{{"rating", 5}, {"count", 2}}}},
		{"students", []Object{{
			{"name", "Aluno Teste"},
			{"groups", []string{"Turma de Testes"}},
			{"questions", []any{Object{{"discipline", subject}, {"subject", subject}}}},
		}}},
		{"top_subjects", Object{{"Álgebra", 38}, {"Aritmética", 2}, {"Análise combinatória", 1}}},
		{"empty", Object(nil)},
		{"teachers", objects([]Column{{Key: "first_name"}, {Key: "disciplines"}}, rowsOf(
			[]any{"Professor", []string{"Matemática"}}, []any{"Prof Luccas", []string(nil)}))},
		{"none", objects(nil, rowsOf())},
	}
	want := `{"start_date":"01/01/2024","total_questions":41,"average_adjusted_response_time_in_minutes":43615.19,` +
		`"questions_count_by_discipline":{"Matemática":41},"active_users_percentage":1,"average_nps":null,` +
		`"nps_answers":[],"answer_ratings":[{"rating":5,"count":2}],` +
		`"students":[{"name":"Aluno Teste","groups":["Turma de Testes"],"questions":[{"discipline":{"id":1,"name":"Álgebra"},"subject":{"id":1,"name":"Álgebra"}}]}],` +
		`"top_subjects":{"Álgebra":38,"Aritmética":2,"Análise combinatória":1},"empty":{},` +
		`"teachers":[{"first_name":"Professor","disciplines":["Matemática"]},{"first_name":"Prof Luccas","disciplines":[]}],"none":[]}` + "\n"
	var b bytes.Buffer
	if err := WriteJSONValue(&b, doc); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("got  %s\nwant %s", b.String(), want)
	}

	bad := Object{{"a", []any{Object{{"b", objects(columns(1), rowsOf([]any{"x"}, []any{struct{}{}}))}}}}}
	err := WriteJSONValue(&b, bad)
	if err == nil || err.Error() != `export: key "a": item 0: key "b": item 1: key "c1": unsupported value type struct {}` {
		t.Errorf("got error %v, want one naming the path to the bad value", err)
	}

	// An error from a streamed Array comes back as it is.
	after := false
	if err := WriteJSONValue(&b, Object{{"a", Object{{"b", objects(columns(1), failingAfter(3, &after))}}}}); err != errBoom || after {
		t.Errorf("got error %v and resumed %v, want errBoom itself and false", err, after)
	}
}

// jsonStringCases are strings whose escaping must match encoding/json's.
var jsonStringCases = []string{
	"", "plain", "é ã ç Ü 日本 🎓", `quote " backslash \ slash /`, "line\nfeed\r\ttab",
	"<script>&amp;</script>", "\x00\x01\x07\b\f\x1f\x7f", "bad \xff utf8 \xc3", "sep \u2028 \u2029",
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonStringCases {
		if got, want := string(appendString(nil, s)), encodingJSON(t, s); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range jsonStringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendString(nil, s)), encodingJSON(t, s); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	})
}

// encodingJSON is s as encoding/json writes it without HTML escaping.
func encodingJSON(t *testing.T, s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
