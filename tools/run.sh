#!/bin/sh
# make run: seeds the demo academy on first run, prints the logins, serves.
DATA=${1:-data}
LISTEN=${2:-127.0.0.1:8080}
if [ ! -f "$DATA/dangxiao.db" ]; then
	bin/dangxiao seed --data "$DATA" || exit 1
fi
cat <<MSG

  dangxiao demo academy — open http://$LISTEN
  logins (password dangxiao2026 for all):
    admin     系统管理员 (admin)
    teacher   王老师 (instructor)
    assessor  李考核 (assessor, 第一党委)
    zhangsan  张三 (member)   lisi 李四   wangwu 王五   zhaoliu 赵六

MSG
exec bin/dangxiao serve --data "$DATA" --listen "$LISTEN"
