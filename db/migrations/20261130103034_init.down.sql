-- reverse: create "user_disciplines" table
DROP TABLE "user_disciplines";
-- reverse: create index "question_teacher_id" to table: "questions"
DROP INDEX "question_teacher_id";
-- reverse: create index "question_student_id" to table: "questions"
DROP INDEX "question_student_id";
-- reverse: create index "question_group_id_created_at" to table: "questions"
DROP INDEX "question_group_id_created_at";
-- reverse: create index "question_created_at" to table: "questions"
DROP INDEX "question_created_at";
-- reverse: create "questions" table
DROP TABLE "questions";
-- reverse: create "subjects" table
DROP TABLE "subjects";
-- reverse: create index "npsanswer_user_id_created_at" to table: "nps_answers"
DROP INDEX "npsanswer_user_id_created_at";
-- reverse: create "nps_answers" table
DROP TABLE "nps_answers";
-- reverse: create "group_teachers" table
DROP TABLE "group_teachers";
-- reverse: create "group_students" table
DROP TABLE "group_students";
-- reverse: create index "booking_teacher_id" to table: "bookings"
DROP INDEX "booking_teacher_id";
-- reverse: create index "booking_student_id" to table: "bookings"
DROP INDEX "booking_student_id";
-- reverse: create index "booking_school_id_scheduled_for" to table: "bookings"
DROP INDEX "booking_school_id_scheduled_for";
-- reverse: create index "booking_school_id_created_at" to table: "bookings"
DROP INDEX "booking_school_id_created_at";
-- reverse: create index "booking_group_id" to table: "bookings"
DROP INDEX "booking_group_id";
-- reverse: create "bookings" table
DROP TABLE "bookings";
-- reverse: create index "group_school_id" to table: "groups"
DROP INDEX "group_school_id";
-- reverse: create "groups" table
DROP TABLE "groups";
-- reverse: create "booking_room_disciplines" table
DROP TABLE "booking_room_disciplines";
-- reverse: create index "availabilityslot_teacher_id" to table: "availability_slots"
DROP INDEX "availabilityslot_teacher_id";
-- reverse: create index "availabilityslot_booking_room_id" to table: "availability_slots"
DROP INDEX "availabilityslot_booking_room_id";
-- reverse: create "availability_slots" table
DROP TABLE "availability_slots";
-- reverse: create index "user_role" to table: "users"
DROP INDEX "user_role";
-- reverse: create index "user_email" to table: "users"
DROP INDEX "user_email";
-- reverse: create "users" table
DROP TABLE "users";
-- reverse: create "disciplines" table
DROP TABLE "disciplines";
-- reverse: create index "bookingroom_school_id" to table: "booking_rooms"
DROP INDEX "bookingroom_school_id";
-- reverse: create "booking_rooms" table
DROP TABLE "booking_rooms";
-- reverse: create "schools" table
DROP TABLE "schools";
-- reverse: create index "api_tokens_secret_hash_key" to table: "api_tokens"
DROP INDEX "api_tokens_secret_hash_key";
-- reverse: create "api_tokens" table
DROP TABLE "api_tokens";
