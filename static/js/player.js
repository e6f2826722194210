// Recordings on a testimony's page: a time in the transcript or the contents plays
// the recording from there, the cue being spoken is marked, and ?t= / #t= start
// playing at a second. Without this script every time is a link that reloads the
// page with the player set to start there (a media fragment), so nothing depends
// on it. Loaded with `defer`; no inline script (Content-Security-Policy).
(function () {
  "use strict";

  function seconds(value) {
    var number = parseFloat(value);
    return isFinite(number) && number >= 0 ? number : null;
  }

  function setup(box) {
    var player = box.querySelector("[data-player]");
    if (!player) {
      return;
    }
    var cues = Array.prototype.slice.call(
      box.querySelectorAll(".transcript__cues li[data-start]")
    );
    var current = null;

    function mark() {
      var now = player.currentTime;
      var found = null;
      for (var i = 0; i < cues.length; i += 1) {
        var start = seconds(cues[i].getAttribute("data-start"));
        var end = seconds(cues[i].getAttribute("data-end"));
        if (start !== null && now >= start && (end === null || now < end)) {
          found = cues[i];
        }
      }
      if (found === current) {
        return;
      }
      if (current) {
        current.classList.remove("is-current");
        current.removeAttribute("aria-current");
      }
      current = found;
      if (current) {
        current.classList.add("is-current");
        current.setAttribute("aria-current", "time");
        var list = current.parentNode;
        // Keep the spoken cue in view inside the transcript, not the whole page.
        if (list.scrollHeight > list.clientHeight) {
          var top = current.offsetTop - list.offsetTop;
          if (top < list.scrollTop || top > list.scrollTop + list.clientHeight - 40) {
            list.scrollTop = top - 40;
          }
        }
      }
    }

    function playFrom(time) {
      player.currentTime = time;
      var playing = player.play();
      if (playing && playing.catch) {
        playing.catch(function () {}); // autoplay refused: the position stays
      }
      mark();
      // The address now cites this moment: copying it opens the page here.
      if (window.history && window.history.replaceState) {
        var url = new URL(window.location.href);
        url.searchParams.set("r", box.getAttribute("data-recording"));
        url.searchParams.set("t", String(Math.floor(time)));
        url.hash = box.id;
        window.history.replaceState(null, "", url.toString());
      }
    }

    box.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-start]");
      if (!link || !box.contains(link)) {
        return;
      }
      var time = seconds(link.getAttribute("data-start"));
      if (time === null) {
        return;
      }
      event.preventDefault();
      playFrom(time);
    });
    player.addEventListener("timeupdate", mark);
    player.addEventListener("seeked", mark);
    box.player = player;
    box.playFrom = playFrom;
  }

  function startFromAddress() {
    var params = new URLSearchParams(window.location.search);
    var hash = window.location.hash.match(/^#t=([0-9.]+)/);
    var time = seconds(params.get("t") || (hash ? hash[1] : ""));
    if (time === null) {
      return;
    }
    var wanted = params.get("r");
    var box =
      (wanted && document.querySelector('[data-recording="' + CSS.escape(wanted) + '"]')) ||
      document.querySelector("[data-recording]");
    if (!box || !box.player) {
      return;
    }
    var seek = function () {
      box.player.currentTime = time;
    };
    if (box.player.readyState >= 1) {
      seek();
    } else {
      box.player.addEventListener("loadedmetadata", seek, { once: true });
    }
    if (!window.location.hash || hash) {
      box.scrollIntoView();
    }
  }

  var boxes = document.querySelectorAll("[data-recording]");
  for (var i = 0; i < boxes.length; i += 1) {
    setup(boxes[i]);
  }
  startFromAddress();
})();
