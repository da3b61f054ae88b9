package export

// The columns of the four REST reports. Keys and their order are those of the
// public API's JSON; headers are what CSV and XLSX show. Package report gives
// each column its value by key (report/legacy.go) and will not start while a
// column here has no value there, or a value there has no column here.

// QuestionColumns are the columns of the questions report. Its CSV headers
// are the JSON keys themselves.
var QuestionColumns = keyed(
	"question_id",
	"school",
	"group",
	"student_id",
	"student_name",
	"student_email",
	"teacher_id",
	"teacher_name",
	"teacher_email",
	"question_discipline",
	"question_subject",
	"question_created_at",
	"question_answered_at",
	"question_status",
	"question_anonymous",
	"question_description",
	"answer_description",
	"reply_description",
	"reply_answer_description",
	"answer_rating",
	"answer_understood",
	"answer_comment",
	"has_seen_answer",
	"link",
)

// BookingColumns are the columns of the bookings report.
var BookingColumns = []Column{
	{"id", "ID"},
	{"school_name", "Escola"},
	{"created_at", "Criado em"},
	{"scheduled_for", "Agendado para"},
	{"start_time", "Início"},
	{"end_time", "Término"},
	{"duration", "Duração (min)"},
	{"student_external_id", "ID externo do aluno"},
	{"student_name", "Aluno"},
	{"student_email", "E-mail do aluno"},
	{"teacher_name", "Professor"},
	{"teacher_email", "E-mail do professor"},
	{"group_name", "Turma"},
	{"discipline_name", "Disciplina"},
	{"booking_room_name", "Sala"},
	{"booking_room_modal", "Modalidade"},
	{"rating_by_student", "Avaliação do aluno"},
	{"rating_by_teacher", "Avaliação do professor"},
	{"call_quality_rating_by_student", "Qualidade da chamada (aluno)"},
	{"call_quality_rating_by_teacher", "Qualidade da chamada (professor)"},
	{"status", "Status"},
	{"cancelled_at", "Cancelado em"},
	{"cancelled_by_name", "Cancelado por"},
}

// WorkloadColumns are the columns of the bookings-workload report.
var WorkloadColumns = []Column{
	{"teacher_name", "Professor"},
	{"teacher_email", "E-mail do professor"},
	{"weekly_minutes", "Minutos semanais"},
	{"discipline_name", "Disciplina"},
}

// Sheet names of the groups-usage report in XLSX, one per section.
const (
	SummarySheet     = "Resumo"
	StudentsSheet    = "Alunos"
	TeachersSheet    = "Professores"
	DisciplinesSheet = "Disciplinas"
)

// The groups-usage report is one JSON object; in CSV and XLSX it becomes the
// tables below, in this order: the summary, the questions per discipline
// (both on the Resumo sheet), students, teachers (only with show_teachers)
// and disciplines (only with show_disciplines). Keys name the JSON field a
// column comes from, where there is one.

// SummaryColumns are the columns of the groups-usage summary: one row per
// entry of SummaryIndicators.
var SummaryColumns = []Column{
	{"indicator", "Indicador"},
	{"value", "Valor"},
}

// SummaryIndicators are the rows of the groups-usage summary, in order: Key
// is the top-level JSON field whose value fills the row, Header the text of
// its Indicador cell.
var SummaryIndicators = []Column{
	{"start_date", "Início do período"},
	{"end_date", "Fim do período"},
	{"total_questions", "Total de perguntas"},
	{"average_adjusted_response_time_in_minutes", "Tempo médio de resposta ajustado (min)"},
	{"active_users_percentage", "Usuários ativos (%)"},
	{"average_answer_rating", "Avaliação média das respostas"},
	{"average_nps", "NPS médio"},
	{"average_response_time_nps", "NPS médio do tempo de resposta"},
}

// DisciplineCountColumns are the columns of the table of questions per
// discipline (questions_count_by_discipline) under the summary.
var DisciplineCountColumns = []Column{
	{"discipline", "Disciplina"},
	{"questions", "Perguntas"},
}

// StudentColumns are the columns of the groups-usage students table; the
// questions themselves are not listed, only their count.
var StudentColumns = []Column{
	{"name", "Nome"},
	{"groups", "Turmas"},
	{"email", "E-mail"},
	{"active", "Ativo"},
	{"created_at", "Criado em"},
	{"blocked_at", "Bloqueado em"},
	{"deleted_at", "Excluído em"},
	{"questions_count", "Perguntas"},
}

// TeacherColumns are the columns of the groups-usage teachers table.
var TeacherColumns = []Column{
	{"first_name", "Nome"},
	{"last_name", "Sobrenome"},
	{"email", "E-mail"},
	{"groups", "Turmas"},
	{"disciplines", "Disciplinas"},
	{"active", "Ativo"},
	{"answered_questions_count", "Perguntas respondidas"},
	{"average_response_time_in_minutes", "Tempo médio de resposta (min)"},
	{"created_at", "Criado em"},
	{"blocked_at", "Bloqueado em"},
	{"deleted_at", "Excluído em"},
}

// DisciplineColumns are the columns of the groups-usage disciplines table.
// top_subjects, an object in JSON, must reach its cell flattened, as a
// []string for instance.
var DisciplineColumns = []Column{
	{"name", "Disciplina"},
	{"total_questions", "Total de perguntas"},
	{"average_response_time_in_minutes", "Tempo médio de resposta (min)"},
	{"top_subjects", "Principais assuntos"},
}

// keyed returns columns headed by their own keys.
func keyed(keys ...string) []Column {
	cols := make([]Column, len(keys))
	for i, k := range keys {
		cols[i] = Column{Key: k, Header: k}
	}
	return cols
}
