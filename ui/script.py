"""The page's one script (put in its <head>): sources opened from their [n] markers, the chat
kept in step with the conversation, and a note when a question waits for the answer before it.

- Clicking [n] opens and highlights source n under *that* answer and scrolls it into view; only
  when that answer is the latest, whose passages the sources panel shows, is card n there
  highlighted too (never another answer's card). Capture phase, so the link never navigates.
- A new question is scrolled to the top of the chat, even when the chat was scrolled up; when an
  answer is complete and its top is out of view (a long question, a phone's short window), the
  chat and then the window are scrolled so that its top shows, never its end.
- Enter while an answer is on its way: the question is sent right after it (ui.app), and a note
  under the box says so until it is sent.
"""

HEAD = """
<script>
(function () {
  function chatScroller() { return document.querySelector("#chat .bubble-wrap"); }

  function toTop(element, box, margin) {
    box.scrollTop += element.getBoundingClientRect().top - box.getBoundingClientRect().top - margin;
  }

  function showTop(element) {
    var box = chatScroller(), top = element.getBoundingClientRect().top;
    if (box) {
      var frame = box.getBoundingClientRect();
      if (top < frame.top || top > frame.bottom - 40) toTop(element, box, 8);
      top = element.getBoundingClientRect().top;
    }
    if (top < 0 || top > window.innerHeight - 80) window.scrollBy(0, top - 12);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.cite") : null;
    if (!link) return;
    var id = (link.getAttribute("href") || "").slice(1);
    var source = document.getElementById(id);
    if (!source) return;
    event.preventDefault();
    event.stopPropagation();
    document.querySelectorAll("#chat details.source.highlight, #sources .source-card.highlight")
      .forEach(function (element) { element.classList.remove("highlight"); });
    source.open = true;
    source.classList.add("highlight");
    source.scrollIntoView({block: "nearest"});
    var card = document.getElementById("panel-" + id);
    if (card) {
      card.classList.add("highlight");
      var panel = document.getElementById("sources");
      if (panel) toTop(card, panel, 4);
    }
  }, true);

  var asked = 0, finished = 0;
  function follow() {
    var box = chatScroller();
    if (!box) return;
    var questions = box.querySelectorAll(".question");
    var answers = box.querySelectorAll(".answer.complete");
    if (questions.length > asked) {
      toTop(questions[questions.length - 1], box, 8);
      var note = document.getElementById("queued-note");
      if (note) note.textContent = "";
    } else if (answers.length > finished) {
      showTop(answers[answers.length - 1]);
    }
    asked = questions.length;
    finished = answers.length;
  }
  new MutationObserver(follow).observe(document.documentElement, {childList: true, subtree: true});

  document.addEventListener("keydown", function (event) {
    var box = event.target.closest ? event.target.closest("#question") : null;
    var send = document.getElementById("send");
    if (!box || event.key !== "Enter" || event.shiftKey || !send || !send.disabled) return;
    var row = document.getElementById("ask-row");
    if (!event.target.value.trim() || !row) return;
    var note = document.getElementById("queued-note");
    if (!note) {
      note = document.createElement("p");
      note.id = "queued-note";
      note.setAttribute("role", "status");
      row.after(note);
    }
    note.textContent = "Your question will be sent when this answer is complete.";
  }, true);
})();
</script>
"""
