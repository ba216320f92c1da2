-- wrk script for `make bench-web`: each request takes the next path from the file named by
-- WRK_PATHS (one per line), so a run spreads over many pins and boards rather than repeating one
-- URL that caches would answer. Threads start at different places in the list.
local paths = {}
local position = 0
local started = 0

function setup(thread)
  started = started + 1
  thread:set("thread_number", started)
end

function init(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  position = (thread_number * 7919) % #paths
end

function request()
  position = position % #paths + 1
  return wrk.format(nil, paths[position])
end
