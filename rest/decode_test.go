package rest

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// noType marks a request sent without a Content-Type.
const noType = "-"

func newRequest(contentType, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/reports/x", strings.NewReader(body))
	if contentType != noType {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// decoders are the four decoders, by report.
var decoders = map[string]func(*http.Request) (any, error){
	"questions":   func(r *http.Request) (any, error) { return DecodeQuestions(r) },
	"bookings":    func(r *http.Request) (any, error) { return DecodeBookings(r) },
	"workload":    func(r *http.Request) (any, error) { return DecodeWorkload(r) },
	"groupsUsage": func(r *http.Request) (any, error) { return DecodeGroupsUsage(r) },
}

const (
	id1 = "706cb23b-6e65-4863-afec-4d5fb2af17a6"
	id2 = "fc2779a8-5229-4656-86d5-4e742b61c1c5"
)

func groupID(s string) gid.GroupID   { return gid.GroupID(uuid.MustParse(s)) }
func schoolID(s string) gid.SchoolID { return gid.SchoolID(uuid.MustParse(s)) }

// ms returns the time of milliseconds since the epoch n, in UTC.
func ms(n int64) time.Time { return time.UnixMilli(n).UTC() }

var (
	jan1 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)  // 1704067200000
	dec4 = time.Date(2024, 12, 4, 0, 0, 0, 0, time.UTC) // 1733270400000
)

func TestDecodeValid(t *testing.T) {
	tests := []struct {
		name        string
		decoder     string
		contentType string
		body        string
		want        any
	}{
		{"questions numbers", "questions", "application/json",
			`{"start_date": 1704067200000, "end_date": 1733270400000}`,
			QuestionsRequest{StartDate: jan1, EndDate: dec4}},
		{"numeric strings", "questions", "application/json",
			`{"start_date": "1704067200000", "end_date": "1733270400000"}`,
			QuestionsRequest{StartDate: jan1, EndDate: dec4}},
		{"integral number notations", "questions", "application/json",
			`{"start_date": 1.7040672E12, "end_date": 1733270400000.000}`,
			QuestionsRequest{StartDate: jan1, EndDate: dec4}},
		{"milliseconds kept", "questions", "application/json",
			`{"start_date": 1704067200001, "end_date": 1704067200999}`,
			QuestionsRequest{StartDate: jan1.Add(time.Millisecond), EndDate: jan1.Add(999 * time.Millisecond)}},
		{"equal dates", "questions", "application/json",
			`{"start_date": 1704067200000, "end_date": 1704067200000}`,
			QuestionsRequest{StartDate: jan1, EndDate: jan1}},
		{"negative and zero dates", "questions", "application/json",
			`{"start_date": "-1000", "end_date": -0}`,
			QuestionsRequest{StartDate: ms(-1000), EndDate: ms(0)}},
		{"extreme dates", "questions", "application/json",
			`{"start_date": -62167219200000, "end_date": 253402300799999}`,
			QuestionsRequest{
				StartDate: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
				EndDate:   time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)}},
		{"group ids deduplicated in order", "questions", "application/json",
			`{"start_date": 0, "end_date": 0, "group_ids": ["` + id2 + `", "` + id1 + `", "` + id2 + `"]}`,
			QuestionsRequest{StartDate: ms(0), EndDate: ms(0), GroupIDs: []gid.GroupID{groupID(id2), groupID(id1)}}},
		{"upper case id", "questions", "application/json",
			`{"start_date": 0, "end_date": 0, "group_ids": ["` + strings.ToUpper(id1) + `", "` + id1 + `"]}`,
			QuestionsRequest{StartDate: ms(0), EndDate: ms(0), GroupIDs: []gid.GroupID{groupID(id1)}}},
		{"null group ids", "questions", "application/json",
			`{"start_date": 0, "end_date": 0, "group_ids": null}`,
			QuestionsRequest{StartDate: ms(0), EndDate: ms(0)}},
		{"empty group ids", "questions", "application/json",
			`{"start_date": 0, "end_date": 0, "group_ids": []}`,
			QuestionsRequest{StartDate: ms(0), EndDate: ms(0), GroupIDs: []gid.GroupID{}}},
		// The rules of the values are package report's (TestDecodeRules).
		{"dates absent", "questions", "application/json", `{}`, QuestionsRequest{}},
		{"dates null", "bookings", "application/json", `{"start_date": null, "end_date": null}`, BookingsRequest{}},
		{"start after end", "questions", "application/json",
			`{"start_date": 1733270400000, "end_date": 1704067200000}`,
			QuestionsRequest{StartDate: dec4, EndDate: jan1}},
		{"groups usage without groups", "groupsUsage", "application/json", `{"group_ids": null}`, GroupsUsageRequest{}},
		{"groups usage empty groups", "groupsUsage", "application/json", `{"group_ids": []}`,
			GroupsUsageRequest{GroupIDs: []gid.GroupID{}}},
		// JSON whatever the Content-Type, as legacy clients send it.
		{"text/plain", "questions", "text/plain", dates("0", "0"),
			QuestionsRequest{StartDate: ms(0), EndDate: ms(0)}},
		{"curl's form type", "bookings", "application/x-www-form-urlencoded", dates(`"0"`, `"1"`),
			BookingsRequest{StartDate: ms(0), EndDate: ms(1)}},
		{"json suffix type", "questions", "application/problem+json", dates("0", "0"),
			QuestionsRequest{StartDate: ms(0), EndDate: ms(0)}},
		{"unparsable content type", "workload", "/", `{}`, WorkloadRequest{}},
		{"empty content type", "workload", "", `{"school_ids": ["` + id1 + `"]}`, WorkloadRequest{SchoolIDs: []gid.SchoolID{schoolID(id1)}}},

		// Unknown members are ignored, their names kept for the log.
		{"unknown field", "questions", "application/json", `{"start_date": 0, "end_date": 0, "school_ids": []}`,
			QuestionsRequest{StartDate: ms(0), EndDate: ms(0), Ignored: []string{"school_ids"}}},
		{"legacy start_date to workload", "workload", "application/json", `{"start_date": 1704067200000, "end_date": 1733270400000}`,
			WorkloadRequest{Ignored: []string{"start_date", "end_date"}}},
		{"legacy group_ids to bookings", "bookings", "text/plain", `{"start_date": 0, "end_date": 0, "group_ids": ["` + id1 + `"]}`,
			BookingsRequest{StartDate: ms(0), EndDate: ms(0), Ignored: []string{"group_ids"}}},
		{"field names are exact", "questions", "application/json", `{"Start_Date": 0, "end_date": 0}`,
			QuestionsRequest{EndDate: ms(0), Ignored: []string{"Start_Date"}}},
		{"unknown field repeated", "workload", "application/json", `{"x": 1, "x": {"y": [null]}}`,
			WorkloadRequest{Ignored: []string{"x"}}},
		{"unknown field of any value", "workload", "application/json",
			`{"a": null, "b": true, "c": -1.5e300, "d": "\u0000", "e": {"f": [{}]}, "school_ids": null}`,
			WorkloadRequest{Ignored: []string{"a", "b", "c", "d", "e"}}},
		{"unknown field nested deep", "workload", "application/json",
			`{"x": ` + strings.Repeat(`{"y": [`, 2000) + strings.Repeat(`]}`, 2000) + `}`,
			WorkloadRequest{Ignored: []string{"x"}}},
		{"unknown field almost 1 MiB", "workload", "application/json", `{"x": "` + strings.Repeat("a", MaxBodyBytes-10) + `"}`,
			WorkloadRequest{Ignored: []string{"x"}}},
		{"many unknown fields", "workload", "application/json", manyFields(1000),
			WorkloadRequest{Ignored: []string{"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"}}},
		{"long unknown name", "workload", "application/json", `{"` + strings.Repeat("é", 5000) + `": 1}`,
			WorkloadRequest{Ignored: []string{strings.Repeat("é", MaxIgnoredName) + "…"}}},
		{"unknown name with a line break", "workload", "application/json", `{"a\nb": 1}`,
			WorkloadRequest{Ignored: []string{"a\nb"}}},

		{"charset and case in content type", "questions", "Application/JSON; charset=UTF-8",
			`{"start_date": 0, "end_date": 0}`,
			QuestionsRequest{StartDate: ms(0), EndDate: ms(0)}},
		{"no content type", "questions", noType,
			`{"start_date": 0, "end_date": 0}`,
			QuestionsRequest{StartDate: ms(0), EndDate: ms(0)}},
		{"whitespace around", "questions", "application/json",
			" \r\n\t{ \"start_date\" : 0 ,\n \"end_date\" : \"0\" } \n",
			QuestionsRequest{StartDate: ms(0), EndDate: ms(0)}},

		{"bookings", "bookings", "application/json",
			`{"start_date": 1704067200000, "end_date": "1733270400000", "school_ids": ["` + id1 + `", "` + id1 + `"]}`,
			BookingsRequest{StartDate: jan1, EndDate: dec4, SchoolIDs: []gid.SchoolID{schoolID(id1)}}},
		{"bookings null school ids", "bookings", "application/json",
			`{"start_date": 0, "end_date": 0, "school_ids": null}`,
			BookingsRequest{StartDate: ms(0), EndDate: ms(0)}},

		{"workload empty body", "workload", "application/json", ``, WorkloadRequest{}},
		{"workload blank body", "workload", noType, " \n", WorkloadRequest{}},
		{"workload empty object", "workload", "application/json", `{}`, WorkloadRequest{}},
		{"workload null school ids", "workload", "application/json", `{"school_ids": null}`, WorkloadRequest{}},
		{"workload school ids", "workload", "application/json",
			`{"school_ids": ["` + id1 + `", "` + id2 + `"]}`,
			WorkloadRequest{SchoolIDs: []gid.SchoolID{schoolID(id1), schoolID(id2)}}},

		{"groups usage minimal", "groupsUsage", "application/json",
			`{"start_date": 1704067200000, "end_date": 1733270400000, "group_ids": ["` + id1 + `"]}`,
			GroupsUsageRequest{StartDate: jan1, EndDate: dec4, GroupIDs: []gid.GroupID{groupID(id1)}}},
		{"groups usage full", "groupsUsage", "application/json",
			`{"start_date": 1704067200000, "end_date": 1733270400000, "group_ids": ["` + id1 + `", "` + id2 + `", "` + id1 + `"],
			  "name": "Relatório 2024", "show_disciplines": true, "show_teachers": false}`,
			GroupsUsageRequest{StartDate: jan1, EndDate: dec4, GroupIDs: []gid.GroupID{groupID(id1), groupID(id2)},
				Name: "Relatório 2024", ShowDisciplines: true}},
		{"groups usage null optionals", "groupsUsage", "application/json",
			`{"start_date": 0, "end_date": 0, "group_ids": ["` + id1 + `"], "name": null, "show_disciplines": null, "show_teachers": null}`,
			GroupsUsageRequest{StartDate: ms(0), EndDate: ms(0), GroupIDs: []gid.GroupID{groupID(id1)}}},
		{"booleans as strings", "groupsUsage", "application/json",
			`{"start_date": 0, "end_date": 0, "group_ids": ["` + id1 + `"], "show_disciplines": "true", "show_teachers": "false"}`,
			GroupsUsageRequest{StartDate: ms(0), EndDate: ms(0), GroupIDs: []gid.GroupID{groupID(id1)}, ShowDisciplines: true}},
		{"booleans as digits", "groupsUsage", "application/json",
			`{"start_date": 0, "end_date": 0, "group_ids": ["` + id1 + `"], "show_disciplines": "0", "show_teachers": "1"}`,
			GroupsUsageRequest{StartDate: ms(0), EndDate: ms(0), GroupIDs: []gid.GroupID{groupID(id1)}, ShowTeachers: true}},
		{"booleans as Python writes them", "groupsUsage", "application/json",
			`{"start_date": 0, "end_date": 0, "group_ids": ["` + id1 + `"], "show_disciplines": "True", "show_teachers": "FALSE"}`,
			GroupsUsageRequest{StartDate: ms(0), EndDate: ms(0), GroupIDs: []gid.GroupID{groupID(id1)}, ShowDisciplines: true}},
		{"booleans as letters", "groupsUsage", "application/json",
			`{"start_date": 0, "end_date": 0, "group_ids": ["` + id1 + `"], "show_disciplines": "f", "show_teachers": "t"}`,
			GroupsUsageRequest{StartDate: ms(0), EndDate: ms(0), GroupIDs: []gid.GroupID{groupID(id1)}, ShowTeachers: true}},
		{"groups usage longest name", "groupsUsage", "application/json",
			`{"start_date": 0, "end_date": 0, "group_ids": ["` + id1 + `"], "name": "` + strings.Repeat("é", 200) + `"}`,
			GroupsUsageRequest{StartDate: ms(0), EndDate: ms(0), GroupIDs: []gid.GroupID{groupID(id1)}, Name: strings.Repeat("é", 200)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decoders[tt.decoder](newRequest(tt.contentType, tt.body))
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// manyFields returns a JSON object of n members, f0 to f(n-1).
func manyFields(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `"f%d": %d`, i, i)
	}
	return b.String() + "}"
}

func TestDecodeDatesAreUTC(t *testing.T) {
	got, err := DecodeQuestions(newRequest("application/json", `{"start_date": 0, "end_date": "1"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got.StartDate.Location() != time.UTC || got.EndDate.Location() != time.UTC {
		t.Errorf("locations %v, %v; want UTC", got.StartDate.Location(), got.EndDate.Location())
	}
}

// dates returns a body of the questions report with the JSON values start
// and end.
func dates(start, end string) string {
	return `{"start_date": ` + start + `, "end_date": ` + end + `}`
}

func TestDecodeInvalid(t *testing.T) {
	const (
		appJSON       = "application/json"
		badStart      = "Invalid start_date: expected milliseconds since the epoch."
		badEnd        = "Invalid end_date: expected milliseconds since the epoch."
		startRange    = "Invalid start_date: out of range (years 0 to 9999)."
		malformed     = "Malformed JSON."
		notObject     = "The request body must be a JSON object."
		trailing      = "Unexpected data after the JSON object."
		badGroupID    = "Invalid group id."
		badSchoolID   = "Invalid school id."
		groupIDsArray = "group_ids must be an array of ids."
		usage         = `"group_ids": ["` + id1 + `"]`
	)
	tests := []struct {
		name        string
		decoder     string
		contentType string
		body        string
		status      int
		message     string
		field       string
	}{
		// Content-Type: any, but the body must be JSON.
		{"form body", "questions", "application/x-www-form-urlencoded", "start_date=0&end_date=0", 400, malformed, ""},
		{"text/plain not JSON", "questions", "text/plain", "yes please", 400, malformed, ""},
		{"no type not JSON", "workload", noType, "school_ids=x", 400, malformed, ""},
		{"multipart body", "workload", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n{}\r\n--x--", 400, malformed, ""},
		{"UTF-16 body", "workload", "application/json; charset=utf-16", "\xff\xfe{\x00}\x00", 400, malformed, ""},

		// Body size
		{"body over 1 MiB", "workload", appJSON, `{"school_ids": null}` + strings.Repeat(" ", MaxBodyBytes), 413, "Request body too large.", ""},
		{"body one byte over 1 MiB", "workload", appJSON, "{}" + strings.Repeat(" ", MaxBodyBytes-1), 413, "Request body too large.", ""},

		// Shape of the body
		{"malformed", "questions", appJSON, `{"start_date": 0,`, 400, malformed, ""},
		{"malformed unknown field", "questions", appJSON, `{"foo": 0,`, 400, malformed, ""},
		{"bare word", "questions", appJSON, `start_date=0`, 400, malformed, ""},
		{"single quotes", "questions", appJSON, `{'start_date': 0}`, 400, malformed, ""},
		{"trailing comma", "workload", appJSON, `{"school_ids": [],}`, 400, malformed, ""},
		{"trailing object", "workload", appJSON, `{}{}`, 400, trailing, ""},
		{"trailing garbage", "workload", appJSON, `{} x`, 400, trailing, ""},
		{"array", "workload", appJSON, `[]`, 400, notObject, ""},
		{"array then garbage", "workload", appJSON, `[] x`, 400, notObject, ""},
		{"string", "workload", appJSON, `"{}"`, 400, notObject, ""},
		{"null body", "workload", appJSON, `null`, 400, notObject, ""},
		{"number body", "questions", appJSON, `1704067200000`, 400, notObject, ""},
		{"duplicate field", "questions", appJSON, `{"start_date": 0, "end_date": 0, "start_date": 1}`, 400, `Duplicate field "start_date".`, "start_date"},
		{"duplicate field among unknown ones", "workload", appJSON, `{"x": 1, "school_ids": [], "x": 2, "school_ids": []}`, 400, `Duplicate field "school_ids".`, "school_ids"},
		{"unknown field malformed", "workload", appJSON, `{"x": [1, 2}`, 400, malformed, ""},
		{"unknown field nested too deep", "workload", appJSON, `{"x": ` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, 400, malformed, ""},
		{"unknown field too large", "workload", appJSON, `{"x": "` + strings.Repeat("a", MaxBodyBytes) + `"}`, 413, "Request body too large.", ""},

		// Dates
		{"bool date", "questions", appJSON, dates("true", "0"), 400, badStart, "start_date"},
		{"word date", "questions", appJSON, dates(`"abc"`, "0"), 400, badStart, "start_date"},
		{"ISO date", "questions", appJSON, dates(`"2024-01-01"`, "0"), 400, badStart, "start_date"},
		{"ISO date end", "questions", appJSON, dates("0", `"2024-01-01T00:00:00Z"`), 400, badEnd, "end_date"},
		{"empty string date", "questions", appJSON, dates(`""`, "0"), 400, badStart, "start_date"},
		{"minus only", "questions", appJSON, dates(`"-"`, "0"), 400, badStart, "start_date"},
		{"plus sign string", "questions", appJSON, dates(`"+1"`, "0"), 400, badStart, "start_date"},
		{"spaces in string", "questions", appJSON, dates(`" 1"`, "0"), 400, badStart, "start_date"},
		{"fraction string", "questions", appJSON, dates(`"1.0"`, "0"), 400, badStart, "start_date"},
		{"fractional number", "questions", appJSON, dates("1704067200000.5", "0"), 400, badStart, "start_date"},
		{"tiny fraction", "questions", appJSON, dates("1704067200000.0001", "0"), 400, badStart, "start_date"},
		{"negative exponent", "questions", appJSON, dates("15e-1", "0"), 400, badStart, "start_date"},
		{"huge negative exponent", "questions", appJSON, dates("1e-99999999999999999999", "0"), 400, badStart, "start_date"},
		{"object date", "questions", appJSON, dates(`{"ms": 0}`, "0"), 400, badStart, "start_date"},
		{"array date", "questions", appJSON, dates("[0]", "0"), 400, badStart, "start_date"},
		{"after year 9999", "questions", appJSON, dates("253402300800000", "253402300800000"), 400, startRange, "start_date"},
		{"before year 0", "questions", appJSON, dates("-62167219200001", "0"), 400, startRange, "start_date"},
		{"beyond int64", "questions", appJSON, dates("99999999999999999999", "0"), 400, startRange, "start_date"},
		{"beyond int64 string", "questions", appJSON, dates(`"-99999999999999999999"`, "0"), 400, startRange, "start_date"},
		{"huge exponent", "questions", appJSON, dates("1e99999999999999999999", "0"), 400, startRange, "start_date"},

		// Ids
		{"group_ids string", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": "abc"}`, 400, groupIDsArray, "group_ids"},
		{"group_ids object", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": {}}`, 400, groupIDsArray, "group_ids"},
		{"group_ids number", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": 1}`, 400, groupIDsArray, "group_ids"},
		{"school_ids string", "workload", appJSON, `{"school_ids": "` + id1 + `"}`, 400, "school_ids must be an array of ids.", "school_ids"},
		{"bad group id", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": ["abc"]}`, 400, badGroupID, "group_ids"},
		{"group id number", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": [1]}`, 400, badGroupID, "group_ids"},
		{"group id null", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": [null]}`, 400, badGroupID, "group_ids"},
		{"group id nested array", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": [["` + id1 + `"]]}`, 400, badGroupID, "group_ids"},
		{"group id with braces", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": ["{` + id1 + `}"]}`, 400, badGroupID, "group_ids"},
		{"group id urn", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": ["urn:uuid:` + id1 + `"]}`, 400, badGroupID, "group_ids"},
		{"group id without dashes", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": ["` + strings.ReplaceAll(id1, "-", "") + `"]}`, 400, badGroupID, "group_ids"},
		{"global group id", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": ["` + gid.Encode("Group", id1) + `"]}`, 400, badGroupID, "group_ids"},
		{"second group id bad", "questions", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": ["` + id1 + `", ""]}`, 400, badGroupID, "group_ids"},
		{"bad school id", "bookings", appJSON, `{"start_date": 0, "end_date": 0, "school_ids": ["` + id1 + `x"]}`, 400, badSchoolID, "school_ids"},
		{"bad school id workload", "workload", appJSON, `{"school_ids": ["x"]}`, 400, badSchoolID, "school_ids"},

		// Groups usage
		{"usage bad group id", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, "group_ids": ["x"]}`, 400, badGroupID, "group_ids"},
		{"show_teachers sentence", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "show_teachers": "yes please"}`, 400, "show_teachers must be a boolean.", "show_teachers"},
		{"show_teachers yes", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "show_teachers": "yes"}`, 400, "show_teachers must be a boolean.", "show_teachers"},
		{"show_teachers empty string", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "show_teachers": ""}`, 400, "show_teachers must be a boolean.", "show_teachers"},
		{"show_teachers padded", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "show_teachers": " true"}`, 400, "show_teachers must be a boolean.", "show_teachers"},
		{"show_teachers mixed case", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "show_teachers": "tRUE"}`, 400, "show_teachers must be a boolean.", "show_teachers"},
		{"show_teachers two", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "show_teachers": "2"}`, 400, "show_teachers must be a boolean.", "show_teachers"},
		{"show_disciplines number", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "show_disciplines": 1}`, 400, "show_disciplines must be a boolean.", "show_disciplines"},
		{"show_disciplines array", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "show_disciplines": ["true"]}`, 400, "show_disciplines must be a boolean.", "show_disciplines"},
		{"name number", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "name": 1}`, 400, "name must be a string.", "name"},
		{"name array", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "name": ["a"]}`, 400, "name must be a string.", "name"},
		{"name too long", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "name": "` + strings.Repeat("a", 201) + `"}`, 400, "name must be at most 200 characters.", "name"},
		{"name too long, multibyte", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "name": "` + strings.Repeat("é", 201) + `"}`, 400, "name must be at most 200 characters.", "name"},
		{"name of 10k characters", "groupsUsage", appJSON, `{"start_date": 0, "end_date": 0, ` + usage + `, "name": "` + strings.Repeat("../", 3334) + `"}`, 400, "name must be at most 200 characters.", "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decoders[tt.decoder](newRequest(tt.contentType, tt.body))
			if err == nil {
				t.Fatalf("got %+v, want an error", got)
			}
			var e *apperr.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *apperr.Error", err, err)
			}
			if status := apperr.Status(err); status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			if e.Message != tt.message {
				t.Errorf("message %q, want %q", e.Message, tt.message)
			}
			if e.Field != tt.field {
				t.Errorf("field %q, want %q", e.Field, tt.field)
			}
			if !reflect.ValueOf(got).IsZero() {
				t.Errorf("got %+v with the error, want the zero value", got)
			}
		})
	}
}

// TestDecodeBodyLimit checks the boundary: a body of exactly MaxBodyBytes is
// read, one byte more is not.
func TestDecodeBodyLimit(t *testing.T) {
	body := `{"school_ids": ["` + id1 + `"]}`
	body += strings.Repeat(" ", MaxBodyBytes-len(body))
	got, err := DecodeWorkload(newRequest("application/json", body))
	if err != nil {
		t.Fatalf("%d bytes: %v", len(body), err)
	}
	if want := []gid.SchoolID{schoolID(id1)}; !reflect.DeepEqual(got.SchoolIDs, want) {
		t.Errorf("%d bytes: school ids %v, want %v", len(body), got.SchoolIDs, want)
	}
	_, err = DecodeWorkload(newRequest("application/json", body+" "))
	if apperr.Status(err) != http.StatusRequestEntityTooLarge {
		t.Errorf("%d bytes: error %v, want 413", len(body)+1, err)
	}
}

// TestDecodeLimitedBody checks that a body the caller already limited with
// http.MaxBytesReader gets 413 too.
func TestDecodeLimitedBody(t *testing.T) {
	r := newRequest("application/json", `{"school_ids": []}`)
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 4)
	_, err := DecodeWorkload(r)
	if apperr.Status(err) != http.StatusRequestEntityTooLarge {
		t.Errorf("error %v, want 413", err)
	}
}

func TestDecodeNilBody(t *testing.T) {
	r := newRequest("application/json", "")
	r.Body = nil
	if _, err := DecodeWorkload(r); err != nil {
		t.Errorf("workload: %v", err)
	}
	if q, err := DecodeQuestions(r); err != nil || !q.StartDate.IsZero() {
		t.Errorf("questions: %+v, %v; want no dates and no error", q, err)
	}
}

// TestDecodeRules checks the rules of the values, which package report
// states for both APIs, as the REST API tells them: in its names, with
// the messages of the public API's examples.
func TestDecodeRules(t *testing.T) {
	type validator interface{ Validate() error }
	inputs := map[string]func(*http.Request) (validator, error){
		"questions": func(r *http.Request) (validator, error) {
			q, err := DecodeQuestions(r)
			in := q.input()
			return &in, err
		},
		"bookings": func(r *http.Request) (validator, error) {
			b, err := DecodeBookings(r)
			in := b.input()
			return &in, err
		},
		"groupsUsage": func(r *http.Request) (validator, error) {
			g, err := DecodeGroupsUsage(r)
			in := g.input()
			return &in, err
		},
	}
	tests := []struct {
		name, report, body string
		message, field     string
	}{
		{"empty body", "questions", ``, "Missing start_date.", "start_date"},
		{"empty object", "bookings", `{}`, "Missing start_date.", "start_date"},
		{"groups usage empty body", "groupsUsage", ``, "Missing start_date.", "start_date"},
		{"missing end_date", "questions", `{"start_date": 0}`, "Missing end_date.", "end_date"},
		{"null start_date", "questions", dates("null", "0"), "Missing start_date.", "start_date"},
		{"start after end", "questions", dates("1704067200001", "1704067200000"), "start_date is after end_date.", "start_date"},
		{"start after end bookings", "bookings", dates(`"1"`, `"0"`), "start_date is after end_date.", "start_date"},
		{"missing group_ids", "groupsUsage", dates("0", "0"), "Missing group_ids.", "group_ids"},
		{"null group_ids", "groupsUsage", `{"start_date": 0, "end_date": 0, "group_ids": null}`, "Missing group_ids.", "group_ids"},
		{"empty group_ids", "groupsUsage", `{"start_date": 0, "end_date": 0, "group_ids": []}`, "group_ids must not be empty.", "group_ids"},
		{"usage dates first", "groupsUsage", `{"group_ids": []}`, "Missing start_date.", "start_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := inputs[tt.report](newRequest("application/json", tt.body))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			err = restError(in.Validate())
			var e *apperr.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *apperr.Error", err, err)
			}
			if apperr.Status(err) != 400 || e.Message != tt.message || e.Field != tt.field {
				t.Errorf("got %d %q field %q, want 400 %q field %q", apperr.Status(err), e.Message, e.Field, tt.message, tt.field)
			}
		})
	}
}

// FuzzDecodeBodies sends random bodies to the four decoders: none panics,
// every error is an *apperr.Error that is Invalid or TooLarge, and every
// request decoded keeps the invariants the handlers rely on.
func FuzzDecodeBodies(f *testing.F) {
	seeds := []string{
		``,
		`{}`,
		`null`,
		`[]`,
		`{"start_date": 1704067200000, "end_date": 1733270400000}`,
		`{"start_date": "1704067200000", "end_date": "-1"}`,
		`{"start_date": 1.7e12, "end_date": 17e11, "group_ids": ["` + id1 + `"]}`,
		`{"start_date": 0, "end_date": 0, "group_ids": ["` + id1 + `", "` + id1 + `"], "name": "x", "show_teachers": true, "show_disciplines": false}`,
		`{"start_date": 0, "end_date": 0, "school_ids": ["` + id2 + `"]}`,
		`{"school_ids": null}`,
		`{"school_ids": [1, null, "x"]}`,
		`{"start_date": 1e99999999999999999999, "end_date": -0.0e-5}`,
		`{"start_date": 0, "start_date": 0}`,
		`{"start_date": 0,`,
		`{} {}`,
		"\xff\xfe{}",
		`{"name": "\ud800"}`,
	}
	for _, s := range seeds {
		f.Add("application/json", s)
	}
	f.Add("", `{"start_date": 0, "end_date": 0}`)
	f.Add("text/plain", `{}`)
	f.Add("application/x-www-form-urlencoded", `{"start_date": 0, "end_date": "0", "x": {"y": [1]}, "show_teachers": "1"}`)
	f.Add("application/json; charset", `{}`)
	f.Fuzz(func(t *testing.T, contentType, body string) {
		for name, decode := range decoders {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			r.Header.Set("Content-Type", contentType)
			got, err := decode(r)
			if err != nil {
				var e *apperr.Error
				if !errors.As(err, &e) || e.Code != apperr.Invalid && e.Code != apperr.TooLarge {
					t.Fatalf("%s: error %v (%T), want an Invalid or TooLarge *apperr.Error", name, err, err)
				}
				continue
			}
			checkDecoded(t, name, got)
		}
	})
}

// checkDecoded fails t if a decoded request breaks an invariant.
func checkDecoded(t *testing.T, name string, got any) {
	t.Helper()
	// Dates are UTC and in the years 0 to 9999, or absent (zero); their
	// order is package report's rule.
	checkDate := func(d time.Time) {
		if !d.IsZero() && (d.Location() != time.UTC || d.Year() < 0 || d.Year() > 9999) {
			t.Errorf("%s: bad date %v", name, d)
		}
	}
	checkRange := func(start, end time.Time) { checkDate(start); checkDate(end) }
	// The names of ignored members are few, short and distinct.
	checkIgnored := func(names []string) {
		checkDistinct(t, name, names)
		if len(names) > IgnoredFields {
			t.Errorf("%s: %d names of ignored fields", name, len(names))
		}
		for _, n := range names {
			if utf8.RuneCountInString(n) > MaxIgnoredName+1 {
				t.Errorf("%s: ignored field name of %d characters", name, utf8.RuneCountInString(n))
			}
		}
	}
	switch g := got.(type) {
	case QuestionsRequest:
		checkRange(g.StartDate, g.EndDate)
		checkDistinct(t, name, g.GroupIDs)
		checkIgnored(g.Ignored)
	case BookingsRequest:
		checkRange(g.StartDate, g.EndDate)
		checkDistinct(t, name, g.SchoolIDs)
		checkIgnored(g.Ignored)
	case WorkloadRequest:
		checkDistinct(t, name, g.SchoolIDs)
		checkIgnored(g.Ignored)
	case GroupsUsageRequest:
		checkRange(g.StartDate, g.EndDate)
		checkDistinct(t, name, g.GroupIDs)
		checkIgnored(g.Ignored)
		if len([]rune(g.Name)) > MaxNameLength {
			t.Errorf("%s: bad request %+v", name, g)
		}
	default:
		t.Fatalf("%s: unexpected %T", name, got)
	}
}

func checkDistinct[T comparable](t *testing.T, name string, ids []T) {
	t.Helper()
	seen := map[T]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("%s: duplicate id %v", name, id)
		}
		seen[id] = true
	}
}
