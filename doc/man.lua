-- man.lua: pandoc filter that turns drove's Markdown documents (README
-- style: a title, "##" sections, pipe tables) into a man page that reads
-- well at 80 columns and renders without groff warnings.
--
--   pandoc -f gfm -t man -s --lua-filter=doc/man.lua \
--       -M title=drove.yaml -M section=5 \
--       -M name="drove.yaml - drove configuration file" config/README.md
--
-- * The first level-1 heading (the document's title) becomes the NAME
--   section, from the `name` metadata, so lexgrog and whatis find it.
-- * "##" sections become SH (upper case), "###" become SS; a section
--   called "Contents" (links into the page) is dropped.
-- * Tables become tagged paragraphs (.TP): man pages are read in a
--   terminal, and wide tbl tables do not fit one.

local name_text

function Meta(meta)
  if meta.name then
    name_text = pandoc.utils.stringify(meta.name)
  end
end

-- The cells of a row as lists of blocks, whatever the pandoc version.
local function cells_of(row)
  local out = {}
  for _, cell in ipairs(row.cells or row) do
    out[#out + 1] = cell.contents or cell
  end
  return out
end

local function is_empty(blocks)
  return pandoc.utils.stringify(pandoc.Div(blocks)) == ""
end

local function table_to_list(tbl)
  local heads = {}
  local head_rows = tbl.head and tbl.head.rows or {}
  if #head_rows > 0 then
    for i, c in ipairs(cells_of(head_rows[1])) do
      heads[i] = pandoc.utils.stringify(pandoc.Div(c))
    end
  end
  local items = {}
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      local cells = cells_of(row)
      local term = pandoc.utils.blocks_to_inlines(cells[1])
      local parts = {}
      local desc = {}
      for i = 2, #cells do
        if not is_empty(cells[i]) then
          local inl = pandoc.utils.blocks_to_inlines(cells[i])
          local h = heads[i] or ""
          if h ~= "" and i < #cells then
            -- "type: string", "default: none": the labelled columns.
            local p = { pandoc.Emph(pandoc.Str(h)), pandoc.Str(":"),
                        pandoc.Space() }
            for _, x in ipairs(inl) do p[#p + 1] = x end
            parts[#parts + 1] = p
          else
            desc[#desc + 1] = pandoc.Para(inl)
          end
        end
      end
      local blocks = {}
      if #parts > 0 then
        local line = {}
        for k, p in ipairs(parts) do
          if k > 1 then
            line[#line + 1] = pandoc.Str(";")
            line[#line + 1] = pandoc.Space()
          end
          for _, x in ipairs(p) do line[#line + 1] = x end
        end
        blocks[#blocks + 1] = pandoc.Para(line)
      end
      for _, b in ipairs(desc) do blocks[#blocks + 1] = b end
      if #blocks == 0 then blocks = { pandoc.Para({}) } end
      items[#items + 1] = { term, { blocks } }
    end
  end
  return pandoc.DefinitionList(items)
end

function Pandoc(doc)
  local out = {}
  local skipping = false
  local titled = false
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level == 1 and not titled then
      titled = true
      out[#out + 1] = pandoc.Header(1, "NAME")
      out[#out + 1] = pandoc.Para({ pandoc.Str(name_text or "") })
    elseif b.t == "Header" and b.level == 2 then
      local text = pandoc.utils.stringify(b)
      skipping = (text == "Contents")
      if not skipping then
        out[#out + 1] = pandoc.Header(1, text:upper())
      end
    elseif not skipping then
      if b.t == "Header" then
        out[#out + 1] = pandoc.Header(b.level - 1, b.content)
      elseif b.t == "Table" then
        out[#out + 1] = table_to_list(b)
      else
        out[#out + 1] = b
      end
    end
  end
  return pandoc.Pandoc(out, doc.meta)
end
