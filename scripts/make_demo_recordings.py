"""Make the demo collection's recorded interviews with a synthetic voice.

    .venv/bin/python scripts/make_demo_recordings.py

Four short interviews, one per language, fictional like the rest of the demo: each
cue is spoken by Debian's espeak-ng (a plainly synthetic voice, never a person's),
the cues are joined with a pause, and the result is encoded as Ogg Opus. The cue
times of each transcript are those of the speech, so the transcript follows the
voice. Writes testimonies/demo/media/ (the recording, its transcript, a translation)
and the ``recordings`` of those testimonies' lines in testimonies/demo/collection.jsonl.
The output ships in the repository: `make run` needs no espeak-ng to show it.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from testimonies.timedtext import TimedCue, format_time, write_webvtt  # noqa: E402

DEMO = ROOT / "testimonies" / "demo"
MEDIA = DEMO / "media"
PAUSE = 0.6  # seconds between cues
NARRATOR, INTERVIEWER = "Narrator (synthetic voice)", "Interviewer (synthetic voice)"

# identifier: voice, language, cues (speaker, text, what the voice reads when the
# text is not read as written), translation language and texts, segments (first
# and last cue, title, synopsis, keywords, themes, places), redacted cues (index,
# reason).
INTERVIEWS = {
    "DEMO-RU-002": {
        "voice": "ru",
        "cues": [
            (INTERVIEWER, "Что вы увидели, когда вернулись?", None),
            (NARRATOR, "Дом стоял, но окон не было ни одного.", None),
            (NARRATOR, "Соседка сказала, что в подвале всё сухо.", None),
            (INTERVIEWER, "Вы остались там?", None),
            (NARRATOR, "Нет. Пока я живу у сестры, в Курске.", None),
        ],
        "translation": (
            "en",
            [
                "What did you see when you came back?",
                "The house was standing, but not one window was left.",
                "My neighbour said the basement was dry.",
                "Did you stay there?",
                "No. For now I live with my sister, in Kursk.",
            ],
        ),
        "segments": [
            (
                0,
                2,
                "Дом без окон",
                "Первый взгляд на дом после возвращения.",
                ["окна", "подвал"],
                ["Return home"],
                ["Sudzha"],
            ),
            (
                3,
                4,
                "У сестры",
                "Почему она пока не живёт дома.",
                ["сестра"],
                [],
                ["Kursk"],
            ),
        ],
    },
    "DEMO-UK-002": {
        "voice": "uk",
        "cues": [
            (INTERVIEWER, "Як ви доглядали пасіку?", None),
            (NARRATOR, "Я їздила з Сум раз на тиждень, коли було тихо.", None),
            (NARRATOR, "Вулики стояли, а сусідів уже не було.", None),
            (INTERVIEWER, "А зараз?", None),
            (NARRATOR, "Зараз мед возить волонтер. Я чекаю вдома.", None),
        ],
        "translation": (
            "en",
            [
                "How did you look after the apiary?",
                "I drove out from Sumy once a week, when it was quiet.",
                "The hives were there, but the neighbours were gone.",
                "And now?",
                "Now a volunteer brings the honey. I wait at home.",
            ],
        ),
        "segments": [
            (
                0,
                2,
                "Пасіка",
                "Поїздки з Сум, коли було тихо.",
                ["пасіка"],
                ["Family separation"],
                ["Krasnopillia"],
            ),
            (
                3,
                4,
                "Волонтер",
                "Хто тепер возить мед.",
                ["мед"],
                ["Humanitarian aid"],
                ["Sumy"],
            ),
        ],
        # A redacted range, to show one: the cue is hidden on the site and its
        # sound silenced in the copy played.
        "redacted": [(2, "Demo: what became of the neighbours is theirs to tell.")],
    },
    "DEMO-EN-002": {
        "voice": "en-gb",
        "cues": [
            (INTERVIEWER, "What did people ask first at the transit point?", None),
            (
                NARRATOR,
                "Where their families were, and whether the road was open.",
                None,
            ),
            (
                NARRATOR,
                "We had a list on the wall and a kettle that never stopped.",
                None,
            ),
            (INTERVIEWER, "Was the road open?", None),
            (NARRATOR, "Some days. The drones decided, not us.", None),
        ],
        "translation": (
            "uk",
            [
                "Про що люди питали насамперед на пункті прийому?",
                "Де їхні родини і чи відкрита дорога.",
                "У нас був список на стіні і чайник, що не вимикався.",
                "А дорога була відкрита?",
                "Не щодня. Вирішували дрони, а не ми.",
            ],
        ),
        "segments": [
            (
                0,
                2,
                "The first questions",
                "Families, the road, the list on the wall.",
                ["list", "kettle"],
                ["Humanitarian aid"],
                ["Sumy"],
            ),
            (
                3,
                4,
                "The road",
                "Who decided whether the road was open.",
                ["road"],
                ["Closed evacuation routes", "Drones"],
                ["Sumy Oblast"],
            ),
        ],
    },
    "DEMO-JA-002": {
        "voice": "ja",
        "cues": [
            (
                INTERVIEWER,
                "帰りたいと言う人は多いですか。",
                "かえりたいと いうひとは おおいですか。",
            ),
            (
                NARRATOR,
                "多いです。でも、帰れる人は少ないです。",
                "おおいです。でも、かえれるひとは すくないです。",
            ),
            (
                NARRATOR,
                "家はあっても、道が危ないのです。",
                "いえは あっても、みちが あぶないのです。",
            ),
            (INTERVIEWER, "あなたは帰りますか。", "あなたは かえりますか。"),
            (
                NARRATOR,
                "春になったら、一度だけ見に行きます。",
                "はるに なったら、いちどだけ みにいきます。",
            ),
        ],
        "translation": (
            "en",
            [
                "Do many people say they want to go home?",
                "Many do. But few of them can.",
                "Even when the house is there, the road is dangerous.",
                "Will you go back?",
                "In spring I will go and look, just once.",
            ],
        ),
        "segments": [
            (
                0,
                2,
                "帰りたい人",
                "帰りたい人と帰れる人。",
                ["道"],
                ["Return home"],
                ["Krasnopillia"],
            ),
            (
                3,
                4,
                "春に",
                "一度だけ見に行くつもり。",
                ["春"],
                ["Family separation"],
                ["Sumy"],
            ),
        ],
    },
}


def run(*command):
    subprocess.run([str(part) for part in command], check=True, capture_output=True)


def duration(path):
    found = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(found.stdout)


def clock(seconds):
    return format_time(round(seconds * 1000))


def webvtt(cues):
    return write_webvtt(
        [
            TimedCue(round(start * 1000), round(end * 1000), text, speaker)
            for start, end, speaker, text in cues
        ],
        note="Fictional composite for the demo; a synthetic voice.",
    )


def make(identifier, interview, work):
    voice = interview["voice"]
    pieces, times, at = [], [], 0.0
    for number, (_speaker, text, reading) in enumerate(interview["cues"]):
        wav = work / f"{identifier}-{number}.wav"
        run("espeak-ng", "-v", voice, "-s", "150", "-w", wav, reading or text)
        length = duration(wav)
        times.append((at, at + length))
        pieces.append(wav)
        at += length + PAUSE
    silence = work / "pause.wav"
    run(
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"anullsrc=r=22050:cl=mono:d={PAUSE}",
        silence,
    )
    listing = work / f"{identifier}.txt"
    listing.write_text("".join(f"file '{p}'\nfile '{silence}'\n" for p in pieces))
    target = MEDIA / f"{identifier}.ogg"
    run(
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        listing,
        "-ar",
        "24000",
        "-ac",
        "1",
        "-c:a",
        "libopus",
        "-b:a",
        "20k",
        "-map_metadata",
        "-1",
        "-fflags",
        "+bitexact",
        target,
    )
    language = voice.split("-")[0]
    original = [
        (start, end, speaker, text)
        for (start, end), (speaker, text, _reading) in zip(
            times, interview["cues"], strict=True
        )
    ]
    (MEDIA / f"{identifier}.{language}.vtt").write_text(webvtt(original))
    other, texts = interview["translation"]
    translated = [
        (start, end, speaker, text)
        for (start, end, speaker, _text), text in zip(original, texts, strict=True)
    ]
    (MEDIA / f"{identifier}.{other}.vtt").write_text(webvtt(translated))
    return {
        "file": f"media/{identifier}.ogg",
        "kind": "audio",
        "title": "Interview (synthetic voice)",
        "access": "public",
        "language": language,
        "interviewer": "Volunteer interviewer A (fictional)",
        "credit": "Synthetic voice (espeak-ng); fictional composite for the demo",
        "rights": "Fictional composite written for this software's demo; CC0-1.0",
        "transcripts": [
            {"language": language, "file": f"media/{identifier}.{language}.vtt"},
            {
                "language": other,
                "file": f"media/{identifier}.{other}.vtt",
                "translation": "human",
                "translator": "Volunteer translator B (fictional)",
            },
        ],
        "segments": [
            {
                "start": clock(times[first][0]),
                "end": clock(times[last][1]),
                "language": language,
                "title": title,
                "synopsis": synopsis,
                "keywords": keywords,
                "themes": themes,
                "places": places,
            }
            for first, last, title, synopsis, keywords, themes, places in interview[
                "segments"
            ]
        ],
        **(
            {
                "redacted": [
                    {
                        "start": clock(times[cue][0]),
                        "end": clock(times[cue][1]),
                        "reason": reason,
                    }
                    for cue, reason in interview["redacted"]
                ]
            }
            if "redacted" in interview
            else {}
        ),
    }


def main():
    MEDIA.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        recordings = {
            identifier: make(identifier, interview, Path(folder))
            for identifier, interview in INTERVIEWS.items()
        }
    collection = DEMO / "collection.jsonl"
    lines = []
    for raw in collection.read_text(encoding="utf-8").splitlines():
        value = json.loads(raw)
        if value["identifier"] in recordings:
            value["recordings"] = [recordings[value["identifier"]]]
        lines.append(json.dumps(value, ensure_ascii=False))
    collection.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for identifier in recordings:
        print(identifier, f"{duration(MEDIA / f'{identifier}.ogg'):.1f} s")


if __name__ == "__main__":
    main()
