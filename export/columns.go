package export

// The columns of the four REST reports. Keys and their order are those of the
// public API's JSON; headers are what CSV and XLSX show. Package report gives
// each column its value by key (report/legacy.go) and will not start while a
// column here has no value there, or a value there has no column here.

// QuestionColumns are the columns of the questions report. Its CSV headers
// are the JSON keys themselves, as the public API has them; its XLSX sheet
// is headed by the Portuguese labels, as every other sheet is.
var QuestionColumns = keyed([][2]string{
	{"question_id", "ID da pergunta"},
	{"school", "Escola"},
	{"group", "Turma"},
	{"student_id", "ID do aluno"},
	{"student_name", "Aluno"},
	{"student_email", "E-mail do aluno"},
	{"teacher_id", "ID do professor"},
	{"teacher_name", "Professor"},
	{"teacher_email", "E-mail do professor"},
	{"question_discipline", "Disciplina"},
	{"question_subject", "Assunto"},
	{"question_created_at", "Criada em"},
	{"question_answered_at", "Respondida em"},
	{"question_status", "Status"},
	{"question_anonymous", "Anônima"},
	{"question_description", "Pergunta"},
	{"answer_description", "Resposta"},
	{"reply_description", "Réplica"},
	{"reply_answer_description", "Resposta da réplica"},
	{"answer_rating", "Avaliação da resposta"},
	{"answer_understood", "Resposta entendida"},
	{"answer_comment", "Comentário sobre a resposta"},
	{"has_seen_answer", "Viu a resposta"},
	{"link", "Link"},
})

// BookingColumns are the columns of the bookings report.
var BookingColumns = []Column{
	{Key: "id", Header: "ID"},
	{Key: "school_name", Header: "Escola"},
	{Key: "created_at", Header: "Criado em"},
	{Key: "scheduled_for", Header: "Agendado para"},
	{Key: "start_time", Header: "Início"},
	{Key: "end_time", Header: "Término"},
	{Key: "duration", Header: "Duração (min)"},
	{Key: "student_external_id", Header: "ID externo do aluno"},
	{Key: "student_name", Header: "Aluno"},
	{Key: "student_email", Header: "E-mail do aluno"},
	{Key: "teacher_name", Header: "Professor"},
	{Key: "teacher_email", Header: "E-mail do professor"},
	{Key: "group_name", Header: "Turma"},
	{Key: "discipline_name", Header: "Disciplina"},
	{Key: "booking_room_name", Header: "Sala"},
	{Key: "booking_room_modal", Header: "Modalidade"},
	{Key: "rating_by_student", Header: "Avaliação do aluno"},
	{Key: "rating_by_teacher", Header: "Avaliação do professor"},
	{Key: "call_quality_rating_by_student", Header: "Qualidade da chamada (aluno)"},
	{Key: "call_quality_rating_by_teacher", Header: "Qualidade da chamada (professor)"},
	{Key: "status", Header: "Status"},
	{Key: "cancelled_at", Header: "Cancelado em"},
	{Key: "cancelled_by_name", Header: "Cancelado por"},
}

// WorkloadColumns are the columns of the bookings-workload report.
var WorkloadColumns = []Column{
	{Key: "teacher_name", Header: "Professor"},
	{Key: "teacher_email", Header: "E-mail do professor"},
	{Key: "weekly_minutes", Header: "Minutos semanais"},
	{Key: "discipline_name", Header: "Disciplina"},
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
	{Key: "indicator", Header: "Indicador"},
	{Key: "value", Header: "Valor"},
}

// SummaryIndicators are the rows of the groups-usage summary, in order: Key
// is the top-level JSON field whose value fills the row, Header the text of
// its Indicador cell.
var SummaryIndicators = []Column{
	{Key: "start_date", Header: "Início do período"},
	{Key: "end_date", Header: "Fim do período"},
	{Key: "total_questions", Header: "Total de perguntas"},
	{Key: "average_adjusted_response_time_in_minutes", Header: "Tempo médio de resposta ajustado (min)"},
	{Key: "active_users_percentage", Header: "Usuários ativos (%)"},
	{Key: "average_answer_rating", Header: "Avaliação média das respostas"},
	{Key: "average_nps", Header: "NPS médio"},
	{Key: "average_response_time_nps", Header: "NPS médio do tempo de resposta"},
}

// DisciplineCountColumns are the columns of the table of questions per
// discipline (questions_count_by_discipline) under the summary.
var DisciplineCountColumns = []Column{
	{Key: "discipline", Header: "Disciplina"},
	{Key: "questions", Header: "Perguntas"},
}

// StudentColumns are the columns of the groups-usage students table; the
// questions themselves are not listed, only their count.
var StudentColumns = []Column{
	{Key: "name", Header: "Nome"},
	{Key: "groups", Header: "Turmas"},
	{Key: "email", Header: "E-mail"},
	{Key: "active", Header: "Ativo"},
	{Key: "created_at", Header: "Criado em"},
	{Key: "blocked_at", Header: "Bloqueado em"},
	{Key: "deleted_at", Header: "Excluído em"},
	{Key: "questions_count", Header: "Perguntas"},
}

// TeacherColumns are the columns of the groups-usage teachers table.
var TeacherColumns = []Column{
	{Key: "first_name", Header: "Nome"},
	{Key: "last_name", Header: "Sobrenome"},
	{Key: "email", Header: "E-mail"},
	{Key: "groups", Header: "Turmas"},
	{Key: "disciplines", Header: "Disciplinas"},
	{Key: "active", Header: "Ativo"},
	{Key: "answered_questions_count", Header: "Perguntas respondidas"},
	{Key: "average_response_time_in_minutes", Header: "Tempo médio de resposta (min)"},
	{Key: "created_at", Header: "Criado em"},
	{Key: "blocked_at", Header: "Bloqueado em"},
	{Key: "deleted_at", Header: "Excluído em"},
}

// DisciplineColumns are the columns of the groups-usage disciplines table.
// top_subjects, an object in JSON, must reach its cell flattened, as a
// []string for instance.
var DisciplineColumns = []Column{
	{Key: "name", Header: "Disciplina"},
	{Key: "total_questions", Header: "Total de perguntas"},
	{Key: "average_response_time_in_minutes", Header: "Tempo médio de resposta (min)"},
	{Key: "top_subjects", Header: "Principais assuntos"},
}

// keyed returns columns headed in CSV by their own keys, each pair being a
// key and its label.
func keyed(pairs [][2]string) []Column {
	cols := make([]Column, len(pairs))
	for i, p := range pairs {
		cols[i] = Column{Key: p[0], Header: p[0], Label: p[1]}
	}
	return cols
}
