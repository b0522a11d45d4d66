// Images: what the camera holds (cam_list), a downlink button for each, and every image coming
// down with its progress (a CFDP file's octets, its gaps and NAKs; or the camera's segments),
// shown as soon as it is whole, whoever asked for it.
import { el, errorText, formatValue, utc } from "./util.js";

export function mount(section, ctx) {
  const operator = ctx.role === "operator";
  const cards = new Map();     // image id -> {card, bar, text, picture}
  const message = el("span", { class: "error", id: "images-error" });
  const store = el("tbody");
  const gallery = el("div", { class: "gallery", id: "gallery" });
  section.append(
    el("div", { class: "toolbar" }, el("button", { id: "list-images", disabled: !operator, onclick: () => send("cam_list", []) },
      "List stored images"), message),
    el("table", { id: "image-store" }, el("thead", {}, el("tr", {}, el("th", {}, "image"), el("th", {}, "captured"),
      el("th", {}, "filters"), el("th", {}, "octets"), el("th", {}, "segments"), el("th", {}, ""))), store),
    el("h2", {}, "downlinked"), gallery);

  async function send(name, words) {
    message.textContent = "";
    const response = await ctx.api("/web/api/commands", { method: "POST", body: JSON.stringify({ name, words }) });
    if (!response.ok) message.textContent = `not sent: ${await errorText(response)}`;
  }

  async function downlink(imageId) {      // the server brings it down as `ground image` does
    message.textContent = "";
    const response = await ctx.api(`/web/api/images/${imageId}/downlink`, { method: "POST" });
    if (!response.ok) message.textContent = `image ${imageId} not downlinked: ${await errorText(response)}`;
  }

  function progressText(image) {
    const total = image.total || "?";
    if (image.unit !== "octets") return `${image.got} of ${total} segments${image.complete ? ", complete" : ""}`;
    const parts = [`${image.got} of ${total} octets (CFDP class ${image.cfdp_class})`];
    if (image.gaps && !image.complete) parts.push(`${image.gaps} gap${image.gaps === 1 ? "" : "s"} (${image.missing} octets missing)`);
    if (image.naks) parts.push(`${image.naks} NAK${image.naks === 1 ? "" : "s"}`);
    if (image.failed) parts.push(`FAILED (${image.failed})`);
    return parts.join(", ") + (image.complete ? ", complete" : "");
  }

  function show(image) {
    let entry = cards.get(image.id);
    if (!entry) {
      const bar = el("div");
      const text = el("div", { class: "hint" });
      const picture = el("div");
      const card = el("div", { class: "panel", "data-image": image.id }, el("strong", {}, `image ${image.id}`),
        el("div", { class: "progress" }, bar), text, picture);
      entry = { card, bar, text, picture, complete: false };
      cards.set(image.id, entry);
      gallery.prepend(card);
    }
    const total = image.total || 0;
    entry.bar.style.width = total ? `${(100 * image.got) / total}%` : "0";
    const what = [image.filters.join("+"), image.width ? `${image.width}x${image.height}` : "",
      image.io_range ? `${Math.round(image.io_range)} km from Io` : "", image.time ? utc(image.time) : ""].filter(Boolean).join(" · ");
    entry.text.textContent = `${progressText(image)}${what ? " · " + what : ""}`;
    entry.card.classList.toggle("failed", Boolean(image.failed));
    if (image.complete && !entry.complete) {
      entry.complete = true;
      entry.picture.replaceChildren(el("img", { alt: `image ${image.id}`, src: ctx.withToken(`/web/api/images/${image.id}.png`) }));
    }
  }

  ctx.on("image", show);
  ctx.on("report", (m) => {
    if (m.name !== "image_list") return;
    store.replaceChildren(...m.fields.images.map((image) => el("tr", { "data-stored": image.image_id },
      el("td", {}, image.image_id), el("td", {}, utc(image.time)), el("td", {}, formatValue(image.filters, ctx.dictionary.parameters.cam_filters)),
      el("td", { class: "num" }, image.size), el("td", { class: "num" }, image.segments),
      el("td", {}, el("button", { disabled: !operator, onclick: () => downlink(image.image_id) }, "Downlink")))));
  });
  ctx.api("/web/api/images").then((r) => r.ok ? r.json() : { images: [] }).then((doc) => doc.images.forEach(show));
}
