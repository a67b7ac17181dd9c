#!/bin/sh
# tests/interop/kernel/agent.sh - runs in the test VM (init starts it): runs
# each command file the host writes into the shared folder (/mnt/x/cmd.N), in
# order, writing its output to out.N and its exit status to rc.N; ends when
# the host creates /mnt/x/stop. The host bounds every wait (vm.sh); the VM
# powers off when this script ends.
X=/mnt/x
export PATH=/mnt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ip link set lo up
n=0
echo "$(uname -r)" >$X/ready
while [ ! -e $X/stop ]; do
	if [ -e $X/cmd.$n ]; then
		sh $X/cmd.$n >$X/out.$n 2>&1 </dev/null
		echo $? >$X/rc.$n.tmp
		mv $X/rc.$n.tmp $X/rc.$n
		n=$((n + 1))
	else
		sleep 0.05
	fi
done
