"""Transcripts read from WebVTT and SRT, written to WebVTT, with clear errors."""

import random

import pytest

from testimonies.timedtext import (
    MAX_PROBLEMS,
    TimedCue,
    TimedTextError,
    format_time,
    parse_time,
    read_cues,
    write_webvtt,
)

INTERVIEW_VTT = """\ufeffWEBVTT - fictional interview (sample data)
Kind: captions

NOTE Made up for the tests:
no real person speaks here.

STYLE
::cue(v[voice="Interviewer"]) { color: yellow }

REGION
id:left width:40%

intro
00:00:01.000 --> 00:00:04.500 align:start position:10%
<v Halyna>We sat in the &lt;basement&gt; for <b>nine</b> days.

00:04.500 --> 00:00:07.250
<v.loud Interviewer>And then?</v>

3
01:02:03.004 --> 01:02:05.000
<v Halyna>The bus came
<c.quiet>at</c> <00:00:05.500>dawn &amp; we left.
"""


def problems_of(data):
    with pytest.raises(TimedTextError) as caught:
        read_cues(data)
    return caught.value.problems


class TestWebVTT:
    def test_cues_keep_times_speakers_and_plain_text(self):
        assert read_cues(INTERVIEW_VTT.encode()) == [
            TimedCue(1000, 4500, "We sat in the <basement> for nine days.", "Halyna"),
            TimedCue(4500, 7250, "And then?", "Interviewer"),
            TimedCue(3723004, 3725000, "The bus came\nat dawn & we left.", "Halyna"),
        ]

    @pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
    def test_every_kind_of_line_break_reads_the_same(self, newline):
        data = INTERVIEW_VTT.replace("\n", newline).encode()
        assert read_cues(data) == read_cues(INTERVIEW_VTT.encode())

    def test_a_cue_of_two_voices_has_no_single_speaker(self):
        vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v A>Yes.</v> <v B>No.</v>\n"
        assert read_cues(vtt) == [TimedCue(1000, 2000, "Yes. No.", "")]

    def test_cues_out_of_order_are_put_in_order_of_start(self):
        vtt = (
            "WEBVTT\n\n00:05.000 --> 00:06.000\nlater\n\n"
            "00:01.000 --> 00:02.000\nfirst\n"
        )
        assert [cue.text for cue in read_cues(vtt)] == ["first", "later"]

    def test_redaction_brackets_pass_through(self):
        vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nOur neighbour [[Ivan]] drove.\n"
        assert read_cues(vtt)[0].text == "Our neighbour [[Ivan]] drove."

    def test_written_webvtt_reads_back_to_the_same_cues(self):
        randomly = random.Random(7)
        pieces = ["подвал", "避難所", "a < b", "&amp;", "-->", "x>y", "Я", "  ", "\n"]
        cues = []
        start = 0
        for _ in range(300):
            start += randomly.randint(0, 5000)
            text = "".join(randomly.choice(pieces) for _ in range(6))
            text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
            if not text:
                continue
            speaker = randomly.choice(["", "Halyna", "Interviewer & co", "Олена"])
            cues.append(
                TimedCue(start, start + randomly.randint(1, 9000), text, speaker)
            )
        written = write_webvtt(cues)
        assert written.startswith("WEBVTT\n\n")
        assert read_cues(written) == sorted(cues, key=lambda c: (c.start, c.end))

    def test_a_note_is_written_before_the_cues_and_read_past(self):
        cues = [TimedCue(0, 900, "Подвал.", "Narrator")]
        written = write_webvtt(cues, note="Fictional,\nsynthetic voice.")
        assert written.startswith("WEBVTT\n\nNOTE Fictional, synthetic voice.\n\n")
        assert read_cues(written) == cues

    def test_a_header_alone_is_refused_as_holding_no_cues(self):
        assert problems_of("WEBVTT\n") == [(None, "the file holds no cues.")]


class TestSubRip:
    SRT = (
        "1\r\n00:00:01,000 --> 00:00:04,500\r\n<i>We sat</i> in the basement.\r\n"
        "\r\n2\r\n00:00:05.000 --> 00:00:07,000\r\nFor nine days.\r\nNine.\r\n"
    )

    def test_numbered_cues_with_comma_times(self):
        assert read_cues(self.SRT.encode()) == [
            TimedCue(1000, 4500, "We sat in the basement."),
            TimedCue(5000, 7000, "For nine days.\nNine."),
        ]

    def test_utf16_with_its_byte_order_mark(self):
        assert read_cues(self.SRT.encode("utf-16")) == read_cues(self.SRT.encode())


class TestRefused:
    def test_neither_format(self):
        [(line, message)] = problems_of(b"Dear archivist,\nhere is the recording.\n")
        assert line == 1
        assert "WEBVTT" in message and "SubRip" in message

    def test_text_not_in_utf8_names_the_line_and_what_to_do(self):
        data = "WEBVTT\n\n00:01.000 --> 00:02.000\nподвал\n".encode("cp1251")
        [(line, message)] = problems_of(data)
        assert line == 4
        assert "UTF-8" in message

    def test_a_cue_ending_before_it_starts(self):
        vtt = "WEBVTT\n\n00:05.000 --> 00:04.000\nback in time\n"
        [(line, message)] = problems_of(vtt)
        assert line == 3
        assert "00:00:04.000" in message and "00:00:05.000" in message

    def test_malformed_times_name_their_line(self):
        vtt = (
            "WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nx\n\n"
            "id\n1:00.000 --> 2:00.000\ny\n\n00:61.000 --> 00:62.000\nz\n"
        )
        problems = problems_of(vtt)
        assert [line for line, _message in problems] == [3, 7, 10]
        assert "00:00:01.000 -> 00:00:02.000" in problems[0][1]

    def test_a_missing_blank_line_between_cues_is_reported(self):
        vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\none\n00:03.000 --> 00:04.000\ntwo\n"
        [(line, message)] = problems_of(vtt)
        assert line == 4
        assert "blank line" in message

    def test_nothing_is_returned_when_any_cue_is_broken(self):
        vtt = (
            "WEBVTT\n\n00:01.000 --> 00:02.000\ngood\n\n00:03.000 --> 00:02.000\nbad\n"
        )
        with pytest.raises(TimedTextError):
            read_cues(vtt)

    def test_problems_are_capped(self):
        vtt = "WEBVTT\n\n" + "".join(f"{n} --> x\ntext\n\n" for n in range(100))
        problems = problems_of(vtt)
        assert len(problems) == MAX_PROBLEMS

    def test_an_overlong_cue(self):
        vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n" + "a" * 10_001 + "\n"
        [(line, message)] = problems_of(vtt)
        assert line == 3 and "10,000" in message

    def test_messages_read_with_their_line(self):
        with pytest.raises(TimedTextError) as caught:
            read_cues("WEBVTT\n\n00:05.000 --> 00:04.000\nx\n")
        assert caught.value.messages()[0].startswith("line 3: ")


class TestTimes:
    @pytest.mark.parametrize(
        "value, expected",
        [
            ("00:12:31", 751_000),
            ("12:31.5", 751_500),
            ("1:02:03.004", 3_723_004),
            ("751.2", 751_200),
            ("751,25", 751_250),
            (751.2, 751_200),
            (0, 0),
            ("0", 0),
        ],
    )
    def test_accepted(self, value, expected):
        assert parse_time(value) == expected

    @pytest.mark.parametrize(
        "value", ["", "12:61", "1:2:3:4", "-5", -5, "abc", "00:00:01.0001", True, 1e12]
    )
    def test_refused(self, value):
        with pytest.raises(ValueError):
            parse_time(value)

    def test_format(self):
        assert format_time(3_723_004) == "01:02:03.004"
        assert format_time(0) == "00:00:00.000"
        assert parse_time(format_time(36_000_123)) == 36_000_123
